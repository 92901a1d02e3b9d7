using System.Text;

namespace X64Emu.Linux.Trace;

/// <summary>Symbolic names for flag and enum arguments, as strace prints them.</summary>
public static class StraceFlags
{
    public static readonly (ulong, string)[] Prot = { (1, "PROT_READ"), (2, "PROT_WRITE"), (4, "PROT_EXEC"), (0x1000000, "PROT_GROWSDOWN"), (0x2000000, "PROT_GROWSUP") };

    public static readonly (ulong, string)[] Map =
    {
        (0x10, "MAP_FIXED"), (0x20, "MAP_ANONYMOUS"), (0x40, "MAP_32BIT"), (0x100, "MAP_GROWSDOWN"), (0x800, "MAP_DENYWRITE"),
        (0x1000, "MAP_EXECUTABLE"), (0x2000, "MAP_LOCKED"), (0x4000, "MAP_NORESERVE"), (0x8000, "MAP_POPULATE"), (0x10000, "MAP_NONBLOCK"),
        (0x20000, "MAP_STACK"), (0x40000, "MAP_HUGETLB"), (0x80000, "MAP_SYNC"), (0x100000, "MAP_FIXED_NOREPLACE"), (0x4000000, "MAP_UNINITIALIZED"),
    };

    public static readonly (ulong, string)[] Open =
    {
        (0x40, "O_CREAT"), (0x80, "O_EXCL"), (0x100, "O_NOCTTY"), (0x200, "O_TRUNC"), (0x400, "O_APPEND"), (0x800, "O_NONBLOCK"),
        (0x101000, "O_SYNC"), (0x1000, "O_DSYNC"), (0x2000, "O_ASYNC"), (0x4000, "O_DIRECT"), (0x10000, "O_DIRECTORY"), (0x20000, "O_NOFOLLOW"),
        (0x40000, "O_NOATIME"), (0x80000, "O_CLOEXEC"), (0x200000, "O_PATH"), (0x400000, "O_TMPFILE"),
    };

    public static readonly (ulong, string)[] Remap = { (1, "MREMAP_MAYMOVE"), (2, "MREMAP_FIXED"), (4, "MREMAP_DONTUNMAP") };

    public static readonly (ulong, string)[] At = { (0x100, "AT_SYMLINK_NOFOLLOW"), (0x200, "AT_REMOVEDIR"), (0x400, "AT_SYMLINK_FOLLOW"), (0x800, "AT_NO_AUTOMOUNT"), (0x1000, "AT_EMPTY_PATH") };

    public static readonly (ulong, string)[] Msync = { (1, "MS_ASYNC"), (2, "MS_INVALIDATE"), (4, "MS_SYNC") };

    public static readonly (ulong, string)[] Mcl = { (1, "MCL_CURRENT"), (2, "MCL_FUTURE"), (4, "MCL_ONFAULT") };

    public static readonly (ulong, string)[] SaFlags =
    {
        (0x1, "SA_NOCLDSTOP"), (0x2, "SA_NOCLDWAIT"), (0x4, "SA_SIGINFO"), (0x4000000, "SA_RESTORER"), (0x8000000, "SA_ONSTACK"),
        (0x10000000, "SA_RESTART"), (0x40000000, "SA_NODEFER"), (0x80000000, "SA_RESETHAND"),
    };

    public static readonly (ulong, string)[] Clone =
    {
        (0x100, "CLONE_VM"), (0x200, "CLONE_FS"), (0x400, "CLONE_FILES"), (0x800, "CLONE_SIGHAND"), (0x1000, "CLONE_PIDFD"), (0x2000, "CLONE_PTRACE"),
        (0x4000, "CLONE_VFORK"), (0x8000, "CLONE_PARENT"), (0x10000, "CLONE_THREAD"), (0x20000, "CLONE_NEWNS"), (0x40000, "CLONE_SYSVSEM"),
        (0x80000, "CLONE_SETTLS"), (0x100000, "CLONE_PARENT_SETTID"), (0x200000, "CLONE_CHILD_CLEARTID"), (0x400000, "CLONE_DETACHED"),
        (0x800000, "CLONE_UNTRACED"), (0x1000000, "CLONE_CHILD_SETTID"),
    };

    public static readonly (ulong, string)[] Wait = { (1, "WNOHANG"), (2, "WUNTRACED"), (4, "WEXITED"), (8, "WCONTINUED"), (0x1000000, "WNOWAIT"), (0x40000000, "__WALL"), (0x80000000, "__WCLONE") };

    public static readonly (ulong, string)[] Random = { (1, "GRND_NONBLOCK"), (2, "GRND_RANDOM"), (4, "GRND_INSECURE") };

    public static string Madvise(ulong v) => v switch
    {
        0 => "MADV_NORMAL", 1 => "MADV_RANDOM", 2 => "MADV_SEQUENTIAL", 3 => "MADV_WILLNEED", 4 => "MADV_DONTNEED",
        8 => "MADV_FREE", 9 => "MADV_REMOVE", 10 => "MADV_DONTFORK", 11 => "MADV_DOFORK", 12 => "MADV_MERGEABLE",
        13 => "MADV_UNMERGEABLE", 14 => "MADV_HUGEPAGE", 15 => "MADV_NOHUGEPAGE", 16 => "MADV_DONTDUMP", 17 => "MADV_DODUMP",
        18 => "MADV_WIPEONFORK", 19 => "MADV_KEEPONFORK", 20 => "MADV_COLD", 21 => "MADV_PAGEOUT", 22 => "MADV_POPULATE_READ",
        23 => "MADV_POPULATE_WRITE", 24 => "MADV_DONTNEED_LOCKED", 25 => "MADV_COLLAPSE", 100 => "MADV_HWPOISON",
        _ => $"0x{v:x} /* MADV_??? */",
    };

    public static string Whence(ulong v) => v switch
    {
        0 => "SEEK_SET", 1 => "SEEK_CUR", 2 => "SEEK_END", 3 => "SEEK_DATA", 4 => "SEEK_HOLE", _ => v.ToString(),
    };

    public static string SigHow(ulong v) => v switch
    {
        0 => "SIG_BLOCK", 1 => "SIG_UNBLOCK", 2 => "SIG_SETMASK", _ => v.ToString(),
    };

    public static string ArchPrctl(ulong v) => v switch
    {
        0x1001 => "ARCH_SET_GS", 0x1002 => "ARCH_SET_FS", 0x1003 => "ARCH_GET_FS", 0x1004 => "ARCH_GET_GS",
        0x1011 => "ARCH_GET_CPUID", 0x1012 => "ARCH_SET_CPUID", 0x3001 => "ARCH_CET_STATUS", 0x5001 => "ARCH_SHSTK_ENABLE",
        _ => $"0x{v:x} /* ARCH_??? */",
    };

    public static string Clock(ulong v) => v switch
    {
        0 => "CLOCK_REALTIME", 1 => "CLOCK_MONOTONIC", 2 => "CLOCK_PROCESS_CPUTIME_ID", 3 => "CLOCK_THREAD_CPUTIME_ID",
        4 => "CLOCK_MONOTONIC_RAW", 5 => "CLOCK_REALTIME_COARSE", 6 => "CLOCK_MONOTONIC_COARSE", 7 => "CLOCK_BOOTTIME",
        _ => v.ToString(),
    };

    public static string Ioctl(ulong v) => v switch
    {
        0x5401 => "TCGETS", 0x5402 => "TCSETS", 0x5403 => "TCSETSW", 0x5404 => "TCSETSF", 0x540F => "TIOCGPGRP", 0x5410 => "TIOCSPGRP",
        0x5413 => "TIOCGWINSZ", 0x5414 => "TIOCSWINSZ", 0x541B => "FIONREAD", 0x5421 => "FIONBIO", 0x5451 => "FIOCLEX", 0x5450 => "FIONCLEX",
        _ => $"0x{v:x}",
    };

    public static string Fcntl(ulong v) => v switch
    {
        0 => "F_DUPFD", 1 => "F_GETFD", 2 => "F_SETFD", 3 => "F_GETFL", 4 => "F_SETFL", 5 => "F_GETLK", 6 => "F_SETLK", 7 => "F_SETLKW",
        1030 => "F_DUPFD_CLOEXEC", 1031 => "F_SETPIPE_SZ", 1032 => "F_GETPIPE_SZ", 1033 => "F_ADD_SEALS", 1034 => "F_GET_SEALS",
        _ => v.ToString(),
    };

    public static string Rlimit(ulong v) => v switch
    {
        0 => "RLIMIT_CPU", 1 => "RLIMIT_FSIZE", 2 => "RLIMIT_DATA", 3 => "RLIMIT_STACK", 4 => "RLIMIT_CORE", 5 => "RLIMIT_RSS",
        6 => "RLIMIT_NPROC", 7 => "RLIMIT_NOFILE", 8 => "RLIMIT_MEMLOCK", 9 => "RLIMIT_AS", 10 => "RLIMIT_LOCKS",
        11 => "RLIMIT_SIGPENDING", 12 => "RLIMIT_MSGQUEUE", 13 => "RLIMIT_NICE", 14 => "RLIMIT_RTPRIO", 15 => "RLIMIT_RTTIME",
        _ => v.ToString(),
    };

    public static string Futex(ulong v)
    {
        string[] ops = { "FUTEX_WAIT", "FUTEX_WAKE", "FUTEX_FD", "FUTEX_REQUEUE", "FUTEX_CMP_REQUEUE", "FUTEX_WAKE_OP", "FUTEX_LOCK_PI",
            "FUTEX_UNLOCK_PI", "FUTEX_TRYLOCK_PI", "FUTEX_WAIT_BITSET", "FUTEX_WAKE_BITSET", "FUTEX_WAIT_REQUEUE_PI", "FUTEX_CMP_REQUEUE_PI", "FUTEX_LOCK_PI2" };
        ulong op = v & 0x7F;
        string s = op < (ulong)ops.Length ? ops[op] : v.ToString();
        if ((v & 128) != 0)
        {
            s += "_PRIVATE";
        }

        if ((v & 256) != 0)
        {
            s += "|FUTEX_CLOCK_REALTIME";
        }

        return s;
    }

    /// <summary>"A|B|0x40" for known bits, "0" for none; <paramref name="zero"/> names the empty set (e.g. PROT_NONE).</summary>
    public static void Format(StringBuilder sb, ulong v, (ulong Bit, string Name)[] table, string zero = "0")
    {
        if (v == 0)
        {
            sb.Append(zero);
            return;
        }

        bool first = true;
        foreach ((ulong bit, string name) in table)
        {
            if ((v & bit) == bit)
            {
                sb.Append(first ? string.Empty : "|").Append(name);
                first = false;
                v &= ~bit;
            }
        }

        if (v != 0)
        {
            sb.Append(first ? string.Empty : "|").Append("0x").Append(v.ToString("x"));
        }
    }
}
