//! Build a reproducible national dataset (see `eip::dataset`):
//!
//!   cargo run --release --example gen_national -- --db national.db --schools 20000 --months 12 [--seed 2016]
//!       [--password-stdin]   (the Ministry admin 000000-A01's password, to sign in and explore)

fn arg(args: &[String], name: &str, default: &str) -> String {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned().unwrap_or_else(|| default.to_string())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let db = std::path::PathBuf::from(arg(&args, "--db", "national.db"));
    let schools: usize = arg(&args, "--schools", "20000").parse()?;
    let months: u32 = arg(&args, "--months", "12").parse()?;
    let seed: u64 = arg(&args, "--seed", "2016").parse()?;
    // Read before the hours of generating, so a mistyped pipe fails at once.
    let password = if args.iter().any(|a| a == "--password-stdin") {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        Some(line.trim_end_matches(['\r', '\n']).to_string())
    } else {
        None
    };
    eip::dataset::generate(&db, schools, months, seed, true)?;
    if let Some(pw) = password {
        eip::dataset::activate_admin(&db, &pw)?;
    }
    Ok(())
}
