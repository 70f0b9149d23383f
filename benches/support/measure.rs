//! Running a command and measuring its wall time and peak memory: with GNU time when it is
//! installed (its maximum resident set size is exact), else by sampling /proc while it runs.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Measured {
    pub wall: f64,
    pub peak_mb: f64,
    pub success: bool,
    pub stderr: String,
}

const GNU_TIME: &str = "/usr/bin/time";
const MARK: &str = "communique-bench-peak-kb=";

pub fn run_measured(program: &Path, args: &[&str], dir: &Path) -> Measured {
    let gnu_time = Path::new(GNU_TIME).exists();
    let mut command = if gnu_time {
        let mut c = Command::new(GNU_TIME);
        c.arg("-f").arg(format!("{MARK}%M")).arg(program);
        c
    } else {
        Command::new(program)
    };
    command
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = command.spawn().expect("start the build");
    let pid = child.id();
    let mut sampled_kb = 0u64;
    let stderr_reader = {
        let mut stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut stderr, &mut text).ok();
            text
        })
    };
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if !gnu_time {
            sampled_kb = sampled_kb.max(vm_hwm_kb(pid).unwrap_or(0));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let wall = start.elapsed().as_secs_f64();
    let stderr = stderr_reader.join().unwrap();
    let peak_kb = stderr
        .lines()
        .find_map(|l| l.strip_prefix(MARK))
        .and_then(|kb| kb.trim().parse().ok())
        .unwrap_or(sampled_kb);
    Measured {
        wall,
        peak_mb: peak_kb as f64 / 1024.0,
        success: status.success(),
        stderr,
    }
}

fn vm_hwm_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
