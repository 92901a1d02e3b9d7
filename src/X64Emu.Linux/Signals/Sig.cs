namespace X64Emu.Linux.Signals;

/// <summary>Signal numbers (x86-64), names and default actions.</summary>
public static class Sig
{
    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGQUIT = 3;
    public const int SIGILL = 4;
    public const int SIGTRAP = 5;
    public const int SIGABRT = 6;
    public const int SIGBUS = 7;
    public const int SIGFPE = 8;
    public const int SIGKILL = 9;
    public const int SIGUSR1 = 10;
    public const int SIGSEGV = 11;
    public const int SIGUSR2 = 12;
    public const int SIGPIPE = 13;
    public const int SIGALRM = 14;
    public const int SIGTERM = 15;
    public const int SIGSTKFLT = 16;
    public const int SIGCHLD = 17;
    public const int SIGCONT = 18;
    public const int SIGSTOP = 19;
    public const int SIGTSTP = 20;
    public const int SIGTTIN = 21;
    public const int SIGTTOU = 22;
    public const int SIGURG = 23;
    public const int SIGXCPU = 24;
    public const int SIGXFSZ = 25;
    public const int SIGVTALRM = 26;
    public const int SIGPROF = 27;
    public const int SIGWINCH = 28;
    public const int SIGIO = 29;
    public const int SIGPWR = 30;
    public const int SIGSYS = 31;
    public const int SIGRTMIN = 32;
    public const int Max = 64;

    public static ulong Bit(int sig) => 1UL << (sig - 1);

    /// <summary>Signals that can be neither caught, blocked nor ignored.</summary>
    public const ulong Unblockable = (1UL << (SIGKILL - 1)) | (1UL << (SIGSTOP - 1));

    public static string Name(int sig) => sig switch
    {
        SIGHUP => "SIGHUP", SIGINT => "SIGINT", SIGQUIT => "SIGQUIT", SIGILL => "SIGILL", SIGTRAP => "SIGTRAP",
        SIGABRT => "SIGABRT", SIGBUS => "SIGBUS", SIGFPE => "SIGFPE", SIGKILL => "SIGKILL", SIGUSR1 => "SIGUSR1",
        SIGSEGV => "SIGSEGV", SIGUSR2 => "SIGUSR2", SIGPIPE => "SIGPIPE", SIGALRM => "SIGALRM", SIGTERM => "SIGTERM",
        SIGSTKFLT => "SIGSTKFLT", SIGCHLD => "SIGCHLD", SIGCONT => "SIGCONT", SIGSTOP => "SIGSTOP", SIGTSTP => "SIGTSTP",
        SIGTTIN => "SIGTTIN", SIGTTOU => "SIGTTOU", SIGURG => "SIGURG", SIGXCPU => "SIGXCPU", SIGXFSZ => "SIGXFSZ",
        SIGVTALRM => "SIGVTALRM", SIGPROF => "SIGPROF", SIGWINCH => "SIGWINCH", SIGIO => "SIGIO", SIGPWR => "SIGPWR",
        SIGSYS => "SIGSYS",
        >= SIGRTMIN and <= Max => sig == SIGRTMIN ? "SIGRTMIN" : "SIGRT_" + (sig - SIGRTMIN),
        _ => sig.ToString(),
    };

    /// <summary>What a shell prints for a process killed by the signal (strsignal as bash shows it).</summary>
    public static string Description(int sig) => sig switch
    {
        SIGHUP => "Hangup", SIGINT => "Interrupt", SIGQUIT => "Quit", SIGILL => "Illegal instruction",
        SIGTRAP => "Trace/breakpoint trap", SIGABRT => "Aborted", SIGBUS => "Bus error", SIGFPE => "Floating point exception",
        SIGKILL => "Killed", SIGUSR1 => "User defined signal 1", SIGSEGV => "Segmentation fault", SIGUSR2 => "User defined signal 2",
        SIGPIPE => "Broken pipe", SIGALRM => "Alarm clock", SIGTERM => "Terminated", SIGSTKFLT => "Stack fault",
        SIGXCPU => "CPU time limit exceeded", SIGXFSZ => "File size limit exceeded", SIGVTALRM => "Virtual timer expired",
        SIGPROF => "Profiling timer expired", SIGIO => "I/O possible", SIGPWR => "Power failure", SIGSYS => "Bad system call",
        _ => "Real-time signal " + (sig - SIGRTMIN),
    };

    public enum DefaultAction
    {
        Terminate,
        CoreDump,
        Ignore,
        Stop,
        Continue,
    }

    public static DefaultAction Default(int sig) => sig switch
    {
        SIGQUIT or SIGILL or SIGTRAP or SIGABRT or SIGBUS or SIGFPE or SIGSEGV or SIGXCPU or SIGXFSZ or SIGSYS => DefaultAction.CoreDump,
        SIGCHLD or SIGURG or SIGWINCH => DefaultAction.Ignore,
        SIGSTOP or SIGTSTP or SIGTTIN or SIGTTOU => DefaultAction.Stop,
        SIGCONT => DefaultAction.Continue,
        _ => DefaultAction.Terminate,
    };
}
