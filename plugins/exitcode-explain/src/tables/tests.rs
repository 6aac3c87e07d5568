use super::*;

#[test]
fn signals_are_numbered_one_to_thirty_one_in_order() {
    for (i, s) in SIGNALS.iter().enumerate() {
        assert_eq!(usize::from(s.number), i + 1, "{}", s.name);
        assert!(s.name.starts_with("SIG"));
    }
}

#[test]
fn seed_signal_table_values_and_actions() {
    // The FAQ's signal table, with its SIGTTOU description corrected.
    let expected = [
        ("SIGHUP", 1, Action::Term),
        ("SIGINT", 2, Action::Term),
        ("SIGQUIT", 3, Action::Core),
        ("SIGILL", 4, Action::Core),
        ("SIGABRT", 6, Action::Core),
        ("SIGFPE", 8, Action::Core),
        ("SIGKILL", 9, Action::Term),
        ("SIGSEGV", 11, Action::Core),
        ("SIGPIPE", 13, Action::Term),
        ("SIGALRM", 14, Action::Term),
        ("SIGTERM", 15, Action::Term),
        ("SIGUSR1", 10, Action::Term),
        ("SIGUSR2", 12, Action::Term),
        ("SIGCHLD", 17, Action::Ign),
        ("SIGCONT", 18, Action::Cont),
        ("SIGSTOP", 19, Action::Stop),
        ("SIGTSTP", 20, Action::Stop),
        ("SIGTTIN", 21, Action::Stop),
        ("SIGTTOU", 22, Action::Stop),
    ];
    for (name, number, action) in expected {
        let s = signal(number).expect("in table");
        assert_eq!((s.name, s.action), (name, action));
    }
    assert!(signal(22).expect("ttou").description.contains("output"));
}

#[test]
fn exit_code_rows_are_sorted_and_unique() {
    let codes: Vec<u8> = EXIT_CODES.iter().map(|e| e.code).collect();
    let mut sorted = codes.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(codes, sorted);
    for code in [0, 1, 2, 125, 126, 127, 128, 137, 139, 143, 255] {
        assert!(exit_code(code).is_some(), "{code}");
    }
}

#[test]
fn ntstatus_rows_are_sorted_and_unique() {
    let values: Vec<u32> = NTSTATUS.iter().map(|n| n.value).collect();
    let mut sorted = values.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(values, sorted);
    assert_eq!(
        ntstatus(0xC000_0005).expect("known").name,
        "STATUS_ACCESS_VIOLATION"
    );
}
