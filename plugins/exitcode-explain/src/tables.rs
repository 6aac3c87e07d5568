//! The reference data behind every explanation: exit codes with a conventional meaning, the Linux
//! signal table, and the Windows NTSTATUS values Windows containers report.
//!
//! Kept as plain static data, apart from the logic that uses it, so a reader can check each row
//! against its source (the FAQ on container exit codes and its exit-code and signal tables, signal(7), tldp "Exit Codes With Special
//! Meanings", Microsoft's NTSTATUS reference) without reading code, and so number mode needs no
//! I/O at all.

use serde::Serialize;

/// What a process does by default when it receives a signal (signal(7) "Action").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Action {
    /// Terminate the process.
    Term,
    /// Terminate and dump core.
    Core,
    /// Ignored: a process never dies of it, so 128+N means the program exited with that number.
    Ign,
    /// Stop (pause) the process.
    Stop,
    /// Continue a stopped process.
    Cont,
}

impl Action {
    /// Whether the default action ends the process (so 128+N can mean "killed by N").
    pub fn kills(self) -> bool {
        matches!(self, Action::Term | Action::Core)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Term => "Term",
            Action::Core => "Core",
            Action::Ign => "Ign",
            Action::Stop => "Stop",
            Action::Cont => "Cont",
        }
    }
}

/// One Linux signal (x86, ARM, RISC-V and most architectures; MIPS, Alpha and SPARC number some
/// differently, and Kubernetes nodes essentially never run those).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Signal {
    pub number: u8,
    pub name: &'static str,
    /// Other names the same number goes by (`SIGIOT` for `SIGABRT`).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub aliases: &'static [&'static str],
    pub action: Action,
    pub description: &'static str,
}

const fn sig(
    number: u8,
    name: &'static str,
    aliases: &'static [&'static str],
    action: Action,
    description: &'static str,
) -> Signal {
    Signal {
        number,
        name,
        aliases,
        action,
        description,
    }
}

/// The standard signals 1–31 (`kill -l`), with default actions from signal(7).
pub const SIGNALS: [Signal; 31] = [
    sig(
        1,
        "SIGHUP",
        &[],
        Action::Term,
        "Hangup: the controlling terminal or session ended (many daemons use it to reload config)",
    ),
    sig(
        2,
        "SIGINT",
        &[],
        Action::Term,
        "Interrupt from the keyboard (Ctrl+C)",
    ),
    sig(
        3,
        "SIGQUIT",
        &[],
        Action::Core,
        "Quit from the keyboard (Ctrl+\\); the JVM prints a thread dump instead",
    ),
    sig(
        4,
        "SIGILL",
        &[],
        Action::Core,
        "Illegal instruction: a broken binary, or one built for a newer CPU (e.g. AVX) than the node has",
    ),
    sig(
        5,
        "SIGTRAP",
        &[],
        Action::Core,
        "Trace/breakpoint trap (debugger, or a deliberate trap such as Rust/Go panics in some builds)",
    ),
    sig(
        6,
        "SIGABRT",
        &["SIGIOT"],
        Action::Core,
        "abort() was called: failed assertion, glibc heap corruption, C++ std::terminate, JVM fatal error",
    ),
    sig(
        7,
        "SIGBUS",
        &[],
        Action::Core,
        "Bus error: bad memory access, e.g. a memory-mapped file truncated underneath the process, or /dev/shm full",
    ),
    sig(
        8,
        "SIGFPE",
        &[],
        Action::Core,
        "Arithmetic error, e.g. integer division by zero",
    ),
    sig(
        9,
        "SIGKILL",
        &[],
        Action::Term,
        "Kill: cannot be caught or ignored (OOM killer, kubelet after the grace period, kill -9)",
    ),
    sig(10, "SIGUSR1", &[], Action::Term, "User-defined signal 1"),
    sig(
        11,
        "SIGSEGV",
        &[],
        Action::Core,
        "Segmentation fault: invalid memory reference",
    ),
    sig(12, "SIGUSR2", &[], Action::Term, "User-defined signal 2"),
    sig(
        13,
        "SIGPIPE",
        &[],
        Action::Term,
        "Broken pipe: wrote to a pipe or socket with no reader",
    ),
    sig(
        14,
        "SIGALRM",
        &[],
        Action::Term,
        "Timer signal from alarm()",
    ),
    sig(
        15,
        "SIGTERM",
        &[],
        Action::Term,
        "Termination request: what the kubelet sends first when it stops a container",
    ),
    sig(
        16,
        "SIGSTKFLT",
        &[],
        Action::Term,
        "Stack fault on coprocessor (unused on modern Linux)",
    ),
    sig(
        17,
        "SIGCHLD",
        &["SIGCLD"],
        Action::Ign,
        "Child process stopped or terminated",
    ),
    sig(18, "SIGCONT", &[], Action::Cont, "Continue if stopped"),
    sig(
        19,
        "SIGSTOP",
        &[],
        Action::Stop,
        "Stop process (cannot be caught or ignored)",
    ),
    sig(
        20,
        "SIGTSTP",
        &[],
        Action::Stop,
        "Stop typed at terminal (Ctrl+Z)",
    ),
    sig(
        21,
        "SIGTTIN",
        &[],
        Action::Stop,
        "Terminal input for a background process",
    ),
    sig(
        22,
        "SIGTTOU",
        &[],
        Action::Stop,
        "Terminal output for a background process",
    ),
    sig(
        23,
        "SIGURG",
        &[],
        Action::Ign,
        "Urgent condition on socket (the Go runtime uses it to preempt goroutines)",
    ),
    sig(
        24,
        "SIGXCPU",
        &[],
        Action::Core,
        "CPU time limit exceeded (RLIMIT_CPU)",
    ),
    sig(
        25,
        "SIGXFSZ",
        &[],
        Action::Core,
        "File size limit exceeded (RLIMIT_FSIZE)",
    ),
    sig(26, "SIGVTALRM", &[], Action::Term, "Virtual alarm clock"),
    sig(27, "SIGPROF", &[], Action::Term, "Profiling timer expired"),
    sig(28, "SIGWINCH", &[], Action::Ign, "Window resize signal"),
    sig(29, "SIGIO", &["SIGPOLL"], Action::Term, "I/O now possible"),
    sig(30, "SIGPWR", &[], Action::Term, "Power failure"),
    sig(
        31,
        "SIGSYS",
        &["SIGUNUSED"],
        Action::Core,
        "Bad system call: usually a seccomp profile blocked a syscall the program needs",
    ),
];

/// First and last real-time signal numbers as glibc and `kill -l` present them (the kernel's
/// 32 and 33 are reserved by glibc's threading).
pub const SIGRTMIN: u8 = 34;
pub const SIGRTMAX: u8 = 64;

/// How sure we are that a code means what the row says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExitCodeInfo {
    pub code: u8,
    pub name: &'static str,
    pub meaning: &'static str,
    /// The usual reasons a Kubernetes container ends with this code.
    pub causes: &'static [&'static str],
}

/// Codes with a conventional meaning (the table in the FAQ on container exit codes, and tldp's
/// "Exit Codes With Special Meanings").
/// Codes 129–255 that are 128 + a signal are explained from [`SIGNALS`] instead, except the ones
/// listed here whose Kubernetes story is worth telling in full.
pub const EXIT_CODES: [ExitCodeInfo; 11] = [
    ExitCodeInfo {
        code: 0,
        name: "Success",
        meaning: "The process exited normally.",
        causes: &[
            "A Job or init container finished its work (expected).",
            "A long-running container whose main process returned: no foreground process (e.g. the command is /bin/bash or a script that backgrounds the daemon), so with restartPolicy Always it restarts and ends up in CrashLoopBackOff.",
            "With reason OOMKilled: a child process was OOM-killed but PID 1 still exited 0; it is still an OOM.",
        ],
    },
    ExitCodeInfo {
        code: 1,
        name: "General error",
        meaning: "The program reported a failure itself; the exit code says nothing more, the logs do.",
        causes: &[
            "An application error: bad configuration, a missing environment variable, a dependency (database, DNS) unreachable at startup.",
            "Port already in use (\"bind: Address already in use\"): two containers in one pod share a network namespace and listen on the same port.",
            "Wrong CPU architecture: an amd64 image on an arm64 node (or the reverse) fails with \"exec format error\".",
            "A JVM that could not start (e.g. ENTRYPOINT [\"java\",\"-Xms2g -Xmx2g\",...] passes both flags as one argument).",
        ],
    },
    ExitCodeInfo {
        code: 2,
        name: "Misuse of shell builtin / usage error",
        meaning: "Conventionally a command-line usage error: the shell or the program rejected its arguments.",
        causes: &[
            "A wrong flag or argument in command/args (many CLIs exit 2 on a usage error).",
            "A shell syntax error in a `sh -c` command.",
        ],
    },
    ExitCodeInfo {
        code: 125,
        name: "Container failed to run",
        meaning: "The container runtime itself failed before the command could start.",
        causes: &[
            "An invalid runtime option (the FAQ's `docker run --abcd`).",
            "The image's command lacks permission on the host, or the runtime is incompatible with the host OS or hardware.",
        ],
    },
    ExitCodeInfo {
        code: 126,
        name: "Command invoked cannot execute",
        meaning: "The command was found but could not be executed.",
        causes: &[
            "The file is not executable (missing chmod +x) or is a directory.",
            "Permission denied: runAsUser/readOnlyRootFilesystem/noexec mount stops execution.",
            "A script whose interpreter line points at a shell the image lacks (sometimes 127 instead).",
        ],
    },
    ExitCodeInfo {
        code: 127,
        name: "Command not found",
        meaning: "The command, or a file it needs, does not exist in the image.",
        causes: &[
            "A typo or wrong path in command/args, or the binary is not in $PATH in this image.",
            "A script referenced by the command is missing (\"/bin/bash: /tmp/test.sh: No such file or directory\").",
            "A shared library or the interpreter of a script is missing (e.g. an Alpine/musl image running a glibc binary).",
        ],
    },
    ExitCodeInfo {
        code: 128,
        name: "Invalid exit argument / runtime start error",
        meaning: "The process exited with an invalid argument to exit, or the runtime could not start it (containerd reports 128 for StartError).",
        causes: &[
            "The container could not be started: executable not found, permission denied, or a mount failed (reason StartError or ContainerCannotRun; read the message).",
            "An application on a containerd node tries to call `docker`.",
        ],
    },
    ExitCodeInfo {
        code: 137,
        name: "Killed (SIGKILL)",
        meaning: "128 + 9: the process was killed with SIGKILL, which it cannot catch.",
        causes: &[
            "The container reached its memory limit and the kernel's cgroup OOM killer killed it (reason OOMKilled).",
            "The node ran out of memory and the kernel's global OOM killer chose it (node event SystemOOM).",
            "A liveness or startup probe failed past its threshold and the kubelet killed it.",
            "The kubelet stopped it and it did not exit within terminationGracePeriodSeconds after SIGTERM.",
            "Something else sent kill -9 (a person, a script, an agent on the node).",
            "With reason ContainerStatusUnknown, 137 is made up by the kubelet: the container was lost, not killed.",
        ],
    },
    ExitCodeInfo {
        code: 139,
        name: "Segmentation fault (SIGSEGV)",
        meaning: "128 + 11: the process accessed memory it has no right to.",
        causes: &[
            "A bug in native code (C/C++/cgo/JNI), or a library mismatch between build and runtime image.",
            "Stack overflow in native code (deep recursion with a small stack).",
            "A binary built for a different libc (glibc vs musl) or CPU feature level.",
        ],
    },
    ExitCodeInfo {
        code: 143,
        name: "Terminated (SIGTERM)",
        meaning: "128 + 15: the process was asked to stop and did; usually no fault at all.",
        causes: &[
            "The pod was deleted, evicted, preempted or scaled down, or a rollout replaced it.",
            "A liveness probe failure made the kubelet restart it and it exited on SIGTERM.",
            "A shell as PID 1 that exits 143 when its child is terminated.",
        ],
    },
    ExitCodeInfo {
        code: 255,
        name: "Exit status out of range",
        meaning: "Often exit(-1): negative and out-of-range statuses are folded into 0-255, and -1 becomes 255. The cause cannot be inferred from the code; read the logs.",
        causes: &[
            "The program called exit(-1) (common in Java System.exit(-1), C, Node.js process.exit(-1)).",
            "ssh or a wrapper script reporting a connection or internal error.",
        ],
    },
];

/// A Windows status code (NTSTATUS, or a well-known exception code) that a Windows container's
/// exit code can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NtStatus {
    pub value: u32,
    pub name: &'static str,
    pub meaning: &'static str,
}

const fn nt(value: u32, name: &'static str, meaning: &'static str) -> NtStatus {
    NtStatus {
        value,
        name,
        meaning,
    }
}

/// The values Windows containers commonly die with. Anything else gets an honest "not in our
/// table" rather than a guess.
pub const NTSTATUS: [NtStatus; 17] = [
    nt(
        0x4001_0004,
        "DBG_TERMINATE_PROCESS",
        "The process was terminated by a debugger or TerminateProcess.",
    ),
    nt(
        0x8000_0003,
        "STATUS_BREAKPOINT",
        "A breakpoint was reached (debug build, or __debugbreak).",
    ),
    nt(
        0xC000_0005,
        "STATUS_ACCESS_VIOLATION",
        "Access violation: the Windows equivalent of a segmentation fault.",
    ),
    nt(
        0xC000_0008,
        "STATUS_INVALID_HANDLE",
        "An invalid handle was used.",
    ),
    nt(
        0xC000_0017,
        "STATUS_NO_MEMORY",
        "Not enough virtual memory or paging file quota (the job object's memory limit).",
    ),
    nt(
        0xC000_001D,
        "STATUS_ILLEGAL_INSTRUCTION",
        "Illegal instruction: a binary built for a newer CPU than the node's.",
    ),
    nt(0xC000_0022, "STATUS_ACCESS_DENIED", "Access denied."),
    nt(
        0xC000_0094,
        "STATUS_INTEGER_DIVIDE_BY_ZERO",
        "Integer division by zero.",
    ),
    nt(
        0xC000_00FD,
        "STATUS_STACK_OVERFLOW",
        "Stack overflow (deep or infinite recursion).",
    ),
    nt(
        0xC000_0135,
        "STATUS_DLL_NOT_FOUND",
        "A required DLL is missing from the image (e.g. the Visual C++ runtime in a nanoserver image).",
    ),
    nt(
        0xC000_0139,
        "STATUS_ENTRYPOINT_NOT_FOUND",
        "A DLL lacks a function the program imports: a DLL version mismatch.",
    ),
    nt(
        0xC000_013A,
        "STATUS_CONTROL_C_EXIT",
        "Ended by Ctrl+C / a console close event: the Windows counterpart of SIGINT/SIGTERM on stop.",
    ),
    nt(
        0xC000_0142,
        "STATUS_DLL_INIT_FAILED",
        "A DLL failed to initialise (often a base image / host OS version mismatch).",
    ),
    nt(
        0xC000_0374,
        "STATUS_HEAP_CORRUPTION",
        "Heap corruption detected.",
    ),
    nt(
        0xC000_0409,
        "STATUS_STACK_BUFFER_OVERRUN",
        "Fail-fast: a security check or abort() ended the process (not always a real overrun).",
    ),
    nt(
        0xE043_4352,
        "CLR exception (0xE0434352)",
        "An unhandled .NET exception (a CLR exception code, not an NTSTATUS); the logs show the stack trace.",
    ),
    nt(
        0xE06D_7363,
        "C++ exception (0xE06D7363)",
        "An unhandled C++ exception (an MSVC exception code, not an NTSTATUS).",
    ),
];

/// The signal with this number, if it is one of the standard 31.
pub fn signal(number: u8) -> Option<&'static Signal> {
    SIGNALS.iter().find(|s| s.number == number)
}

/// The conventional meaning of an exit code, if it has one of its own.
pub fn exit_code(code: u8) -> Option<&'static ExitCodeInfo> {
    EXIT_CODES.iter().find(|e| e.code == code)
}

pub fn ntstatus(value: u32) -> Option<&'static NtStatus> {
    NTSTATUS.iter().find(|n| n.value == value)
}

#[cfg(test)]
mod tests;
