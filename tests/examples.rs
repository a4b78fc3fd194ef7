//! The scripts under examples/ run as written, against the real binary.

mod common;
use common::*;

#[test]
fn spec51_the_provincial_roster_workflow_script_runs_end_to_end() {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/province-roster-import.sh");
    let out = std::process::Command::new("bash")
        .arg(&script)
        .env("EIP", bin())
        .env_remove("EIP_TOKEN")
        .env_remove("EIP_DB")
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "--- stdout\n{stdout}\n--- stderr\n{stderr}");
    assert!(stderr.contains("roster request #1 filed for the Ministry's approval"), "{stderr}");
    assert!(stderr.contains("approved request #1: 10 new, 1 changed, 0 to disable"), "{stderr}");
    assert!(stdout.contains("-rw-------"), "the codes file is 0600: {stdout}");
    assert!(stderr.contains("signed in as 130102-R01 (孙强, reviewer of 130102)"), "{stderr}");
    assert!(stdout.contains("130104-R01\t吴昊\treviewer\t130104\t桥西区\tactive"), "{stdout}");
    assert!(stderr.contains("intact: "), "{stderr}");
}
