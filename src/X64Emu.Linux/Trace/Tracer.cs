using System;
using System.Buffers.Binary;
using System.Text;
using X64Emu.Linux.Signals;
using X64Emu.Linux.Syscalls;
using X64Emu.Linux.Tasks;

namespace X64Emu.Linux.Trace;

/// <summary>
/// Prints syscalls in strace's format on stderr from the syscall table's argument formats:
/// <c>mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffff7ff8000</c>.
/// </summary>
public sealed class Tracer
{
    private readonly Kernel _kernel;
    private readonly object _lock = new();
    private readonly StringBuilder _sb = new();

    public Tracer(Kernel kernel)
    {
        _kernel = kernel;
    }

    private bool MultiProcess => _kernel.AllProcesses().Count > 1;

    /// <summary>Syscalls that do not return (exit, execve on success) are printed on entry.</summary>
    public void Enter(GuestThread t, ulong nr, ref SyscallArgs a)
    {
        string? name = SyscallNumber.Name((long)nr);
        if (name is "exit" or "exit_group")
        {
            lock (_lock)
            {
                _sb.Clear();
                Prefix(t);
                FormatCall(t, name, ref a, 0, before: true);
                _sb.Append(" = ?");
                Emit();
            }
        }
    }

    public void Exit(GuestThread t, ulong nr, ref SyscallArgs a, long ret)
    {
        string name = SyscallNumber.Name((long)nr) ?? $"syscall_0x{nr:x}";
        if (name is "exit" or "exit_group")
        {
            return;
        }

        lock (_lock)
        {
            _sb.Clear();
            Prefix(t);
            FormatCall(t, name, ref a, ret, before: false);
            string retKind = StraceSpec.Table.TryGetValue(name, out var spec) ? spec.Ret : "d";
            _sb.Append(" = ");
            if (ret < 0 && ret >= -4095)
            {
                string? en = Errno.Name(-ret);
                _sb.Append("-1 ").Append(en ?? ("E" + (-ret))).Append(" (").Append(Errno.Message(-ret)).Append(')');
            }
            else if (retKind == "?")
            {
                _sb.Append('?');
            }
            else if (retKind == "x")
            {
                _sb.Append("0x").Append(((ulong)ret).ToString("x"));
            }
            else if (retKind == "mode")
            {
                _sb.Append('0').Append(Convert.ToString(ret, 8));
            }
            else
            {
                _sb.Append(ret);
            }

            Emit();
        }
    }

    public void Signal(GuestThread t, SigInfo info)
    {
        lock (_lock)
        {
            _sb.Clear();
            Prefix(t);
            _sb.Append("--- ").Append(Sig.Name(info.Signo)).Append(" {si_signo=").Append(Sig.Name(info.Signo)).Append(", si_code=");
            _sb.Append(SiCode(info));
            if (info.IsFault)
            {
                _sb.Append(", si_addr=").Append(Ptr(info.Addr));
            }
            else
            {
                _sb.Append(", si_pid=").Append(info.Pid).Append(", si_uid=").Append(info.Uid);
                if (info.Signo == Sig.SIGCHLD)
                {
                    _sb.Append(", si_status=").Append(info.Status).Append(", si_utime=0, si_stime=0");
                }
            }

            _sb.Append("} ---");
            Emit();
        }
    }

    public void Killed(GuestThread t, int sig, bool core)
    {
        lock (_lock)
        {
            _sb.Clear();
            Prefix(t);
            _sb.Append("+++ killed by ").Append(Sig.Name(sig)).Append(core ? " (core dumped) +++" : " +++");
            Emit();
        }
    }

    public void Exited(GuestProcess p)
    {
        if ((p.WaitStatus & 0x7F) != 0)
        {
            return; // already reported by Killed
        }

        lock (_lock)
        {
            _sb.Clear();
            if (MultiProcess)
            {
                _sb.Append("[pid ").Append(p.Pid).Append("] ");
            }

            _sb.Append("+++ exited with ").Append((p.WaitStatus >> 8) & 0xFF).Append(" +++");
            Emit();
        }
    }

    private static string SiCode(SigInfo i)
    {
        if (i.Signo == Sig.SIGSEGV && i.IsFault)
        {
            return i.Code switch { 1 => "SEGV_MAPERR", 2 => "SEGV_ACCERR", 4 => "SEGV_PKUERR", 0x80 => "SI_KERNEL", _ => i.Code.ToString() };
        }

        if (i.Signo == Sig.SIGBUS && i.IsFault)
        {
            return i.Code switch { 1 => "BUS_ADRALN", 2 => "BUS_ADRERR", 3 => "BUS_OBJERR", _ => i.Code.ToString() };
        }

        if (i.Signo == Sig.SIGCHLD)
        {
            return i.Code switch { 1 => "CLD_EXITED", 2 => "CLD_KILLED", 3 => "CLD_DUMPED", _ => i.Code.ToString() };
        }

        return i.Code switch { 0 => "SI_USER", -6 => "SI_TKILL", 0x80 => "SI_KERNEL", 2 when i.Signo == Sig.SIGILL => "ILL_ILLOPN", 1 when i.Signo == Sig.SIGFPE => "FPE_INTDIV", _ => i.Code.ToString() };
    }

    private void Prefix(GuestThread t)
    {
        if (MultiProcess)
        {
            _sb.Append("[pid ").Append(t.Tid).Append("] ");
        }
    }

    private void Emit()
    {
        _sb.Append('\n');
        _kernel.Options.Diagnostics.Write(_sb.ToString());
        _kernel.Options.Diagnostics.Flush();
    }

    private static string Ptr(ulong v) => v == 0 ? "NULL" : "0x" + v.ToString("x");

    private void FormatCall(GuestThread t, string name, ref SyscallArgs a, long ret, bool before)
    {
        _sb.Append(name).Append('(');
        if (!StraceSpec.Table.TryGetValue(name, out var spec))
        {
            for (int i = 0; i < 6; i++)
            {
                _sb.Append(i > 0 ? ", " : string.Empty).Append("0x").Append(a[i].ToString("x"));
            }

            _sb.Append(')');
            return;
        }

        for (int i = 0; i < spec.Args.Length; i++)
        {
            if (i > 0)
            {
                _sb.Append(", ");
            }

            FormatArg(t, spec.Args[i], a[i], ref a, ret, before);
        }

        _sb.Append(')');
    }

    private void FormatArg(GuestThread t, string kind, ulong v, ref SyscallArgs a, long ret, bool before)
    {
        switch (kind)
        {
            case "d": _sb.Append((int)v); return;
            case "l": _sb.Append((long)v); return;
            case "u": _sb.Append(v); return;
            case "x": _sb.Append("0x").Append(v.ToString("x")); return;
            case "p": _sb.Append(Ptr(v)); return;
            case "fd": _sb.Append((int)v); return;
            case "dirfd": _sb.Append((int)v == -100 ? "AT_FDCWD" : ((int)v).ToString()); return;
            case "s": String(t, v, 4096); return;
            case "cwd": if (ret > 0) { String(t, v, 4096); } else { _sb.Append(Ptr(v)); } return;
            case "mode": _sb.Append('0').Append(Convert.ToString((long)(v & 0xFFFF), 8)); return;
            case "prot": StraceFlags.Format(_sb, v, StraceFlags.Prot, "PROT_NONE"); return;
            case "mapflags": MapFlags(v); return;
            case "mremapflags": StraceFlags.Format(_sb, v, StraceFlags.Remap); return;
            case "madvise": _sb.Append(StraceFlags.Madvise(v)); return;
            case "msflags": StraceFlags.Format(_sb, v, StraceFlags.Msync); return;
            case "mclflags": StraceFlags.Format(_sb, v, StraceFlags.Mcl); return;
            case "oflags": OpenFlagsText(v); return;
            case "atflags": StraceFlags.Format(_sb, v, StraceFlags.At); return;
            case "whence": _sb.Append(StraceFlags.Whence(v)); return;
            case "sig": _sb.Append(v is > 0 and <= 64 ? Sig.Name((int)v) : ((int)v).ToString()); return;
            case "sighow": _sb.Append(StraceFlags.SigHow(v)); return;
            case "sigset": SigSet(t, v); return;
            case "sigset_out": if (before || ret < 0) { _sb.Append(Ptr(v)); } else { SigSet(t, v); } return;
            case "sigaction": SigActionText(t, v); return;
            case "sigaction_out": if (before || ret < 0) { _sb.Append(Ptr(v)); } else { SigActionText(t, v); } return;
            case "ioctl": _sb.Append(StraceFlags.Ioctl(v)); return;
            case "fcntl": _sb.Append(StraceFlags.Fcntl(v)); return;
            case "archprctl": _sb.Append(StraceFlags.ArchPrctl(v)); return;
            case "rlimit": _sb.Append(StraceFlags.Rlimit(v)); return;
            case "clock": _sb.Append(StraceFlags.Clock(v)); return;
            case "futex": _sb.Append(StraceFlags.Futex(v)); return;
            case "cloneflags": StraceFlags.Format(_sb, v & ~0xFFUL, StraceFlags.Clone); if ((v & 0xFF) != 0) { _sb.Append('|').Append(Sig.Name((int)(v & 0xFF))); } return;
            case "waitflags": StraceFlags.Format(_sb, v, StraceFlags.Wait); return;
            case "grnd": StraceFlags.Format(_sb, v, StraceFlags.Random); return;
            case "amode": _sb.Append(v == 0 ? "F_OK" : ((v & 4) != 0 ? "R_OK" : string.Empty) + ((v & 2) != 0 ? ((v & 4) != 0 ? "|W_OK" : "W_OK") : string.Empty) + ((v & 1) != 0 ? ((v & 6) != 0 ? "|X_OK" : "X_OK") : string.Empty)); return;
            case "stat": if (before || ret < 0) { _sb.Append(Ptr(v)); } else { Stat(t, v); } return;
            case "argv": Argv(t, v); return;
        }

        if (kind.StartsWith("bi:", StringComparison.Ordinal))
        {
            Buffer(t, v, (long)a[kind[3] - '0']);
            return;
        }

        if (kind.StartsWith("bo:", StringComparison.Ordinal))
        {
            if (before || ret < 0)
            {
                _sb.Append(Ptr(v));
            }
            else
            {
                Buffer(t, v, Math.Min(ret, (long)a[kind[3] - '0']));
            }

            return;
        }

        if (kind.StartsWith("iov:", StringComparison.Ordinal))
        {
            Iov(t, v, (int)a[kind[4] - '0']);
            return;
        }

        _sb.Append("0x").Append(v.ToString("x"));
    }

    private void MapFlags(ulong v)
    {
        ulong type = v & 0xF;
        _sb.Append(type switch { 1 => "MAP_SHARED", 2 => "MAP_PRIVATE", 3 => "MAP_SHARED_VALIDATE", _ => "0x" + type.ToString("x") });
        ulong rest = v & ~0xFUL;
        ulong huge = (rest >> 26) & 0x3F;
        if ((rest & 0x40000) != 0 && huge != 0)
        {
            rest &= ~(0x3FUL << 26);
        }

        if (rest != 0)
        {
            _sb.Append('|');
            StraceFlags.Format(_sb, rest, StraceFlags.Map);
        }

        if ((v & 0x40000) != 0 && huge != 0)
        {
            _sb.Append(huge == 21 ? "|MAP_HUGE_2MB" : huge == 30 ? "|MAP_HUGE_1GB" : $"|{huge}<<MAP_HUGE_SHIFT");
        }
    }

    private void OpenFlagsText(ulong v)
    {
        _sb.Append((v & 3) switch { 0 => "O_RDONLY", 1 => "O_WRONLY", 2 => "O_RDWR", _ => "O_ACCMODE" });
        ulong rest = v & ~3UL & ~0x8000UL; // O_LARGEFILE is implied on 64-bit
        if (rest != 0)
        {
            _sb.Append('|');
            StraceFlags.Format(_sb, rest, StraceFlags.Open);
        }
    }

    private void String(GuestThread t, ulong va, int max)
    {
        if (va == 0)
        {
            _sb.Append("NULL");
            return;
        }

        string? s = t.Process.Mm.ReadUserString(va, max);
        if (s == null)
        {
            _sb.Append(Ptr(va));
            return;
        }

        Quote(Encoding.UTF8.GetBytes(s), s.Length, truncateAt: int.MaxValue);
    }

    private void Buffer(GuestThread t, ulong va, long len)
    {
        if (va == 0 && len != 0)
        {
            _sb.Append("NULL");
            return;
        }

        int shown = (int)Math.Min(Math.Max(len, 0), 32);
        byte[] b = new byte[shown];
        if (!t.Process.Mm.ReadUser(va, b))
        {
            _sb.Append(Ptr(va));
            return;
        }

        Quote(b, (int)Math.Min(len, int.MaxValue), 32);
    }

    /// <summary>strace's string quoting: C escapes, octal for other non-printables, "..." after 32 bytes.</summary>
    private void Quote(byte[] b, int fullLength, int truncateAt)
    {
        _sb.Append('"');
        int n = Math.Min(b.Length, truncateAt);
        for (int i = 0; i < n; i++)
        {
            byte c = b[i];
            switch (c)
            {
                case (byte)'"': _sb.Append("\\\""); break;
                case (byte)'\\': _sb.Append("\\\\"); break;
                case (byte)'\n': _sb.Append("\\n"); break;
                case (byte)'\t': _sb.Append("\\t"); break;
                case (byte)'\r': _sb.Append("\\r"); break;
                case (byte)'\f': _sb.Append("\\f"); break;
                case (byte)'\v': _sb.Append("\\v"); break;
                default:
                    if (c >= 0x20 && c < 0x7F)
                    {
                        _sb.Append((char)c);
                    }
                    else
                    {
                        // Octal, padded when the next character is a digit (strace's rule).
                        bool nextDigit = i + 1 < n && b[i + 1] >= '0' && b[i + 1] <= '7';
                        _sb.Append('\\').Append(nextDigit ? Convert.ToString(c, 8).PadLeft(3, '0') : Convert.ToString(c, 8));
                    }

                    break;
            }
        }

        _sb.Append('"');
        if (fullLength > truncateAt)
        {
            _sb.Append("...");
        }
    }

    private void Iov(GuestThread t, ulong va, int count)
    {
        _sb.Append('[');
        for (int i = 0; i < Math.Min(count, 16); i++)
        {
            byte[] e = new byte[16];
            if (!t.Process.Mm.ReadUser(va + (ulong)(i * 16), e))
            {
                break;
            }

            ulong b = BinaryPrimitives.ReadUInt64LittleEndian(e);
            ulong l = BinaryPrimitives.ReadUInt64LittleEndian(e.AsSpan(8));
            _sb.Append(i > 0 ? ", " : string.Empty).Append("{iov_base=");
            Buffer(t, b, (long)l);
            _sb.Append(", iov_len=").Append(l).Append('}');
        }

        _sb.Append(']');
    }

    private void SigSet(GuestThread t, ulong va)
    {
        if (va == 0)
        {
            _sb.Append("NULL");
            return;
        }

        if (!t.Process.Mm.ReadUser64(va, out ulong set))
        {
            _sb.Append(Ptr(va));
            return;
        }

        SigSetText(set);
    }

    private void SigSetText(ulong set)
    {
        if (System.Numerics.BitOperations.PopCount(set) > 32)
        {
            _sb.Append('~');
            set = ~set;
        }

        _sb.Append('[');
        bool first = true;
        for (int s = 1; s <= 64; s++)
        {
            if ((set & Sig.Bit(s)) != 0)
            {
                string n = Sig.Name(s);
                _sb.Append(first ? string.Empty : " ").Append(n.StartsWith("SIG", StringComparison.Ordinal) ? n.Substring(3) : n);
                first = false;
            }
        }

        _sb.Append(']');
    }

    private void SigActionText(GuestThread t, ulong va)
    {
        if (va == 0)
        {
            _sb.Append("NULL");
            return;
        }

        byte[] b = new byte[32];
        if (!t.Process.Mm.ReadUser(va, b))
        {
            _sb.Append(Ptr(va));
            return;
        }

        ulong h = BinaryPrimitives.ReadUInt64LittleEndian(b);
        ulong flags = BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(8));
        ulong restorer = BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(16));
        ulong mask = BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(24));
        _sb.Append("{sa_handler=").Append(h == 0 ? "SIG_DFL" : h == 1 ? "SIG_IGN" : Ptr(h)).Append(", sa_mask=");
        SigSetText(mask);
        _sb.Append(", sa_flags=");
        StraceFlags.Format(_sb, flags, StraceFlags.SaFlags);
        if ((flags & 0x4000000) != 0)
        {
            _sb.Append(", sa_restorer=").Append(Ptr(restorer));
        }

        _sb.Append('}');
    }

    private void Stat(GuestThread t, ulong va)
    {
        byte[] b = new byte[144];
        if (!t.Process.Mm.ReadUser(va, b))
        {
            _sb.Append(Ptr(va));
            return;
        }

        uint mode = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(24));
        long size = BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(48));
        string type = (mode & 0xF000) switch
        {
            0x8000 => "S_IFREG", 0x4000 => "S_IFDIR", 0xA000 => "S_IFLNK", 0x2000 => "S_IFCHR", 0x6000 => "S_IFBLK", 0x1000 => "S_IFIFO", 0xC000 => "S_IFSOCK", _ => "0",
        };
        _sb.Append("{st_mode=").Append(type).Append("|0").Append(Convert.ToString(mode & 0xFFF, 8));
        if ((mode & 0xF000) == 0x2000)
        {
            ulong rdev = BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(40));
            _sb.Append(", st_rdev=makedev(0x").Append(Vfs.StatBuf.Major(rdev).ToString("x")).Append(", 0x").Append(Vfs.StatBuf.Minor(rdev).ToString("x")).Append(')');
        }
        else
        {
            _sb.Append(", st_size=").Append(size);
        }

        _sb.Append(", ...}");
    }

    private void Argv(GuestThread t, ulong va)
    {
        _sb.Append('[');
        for (int i = 0; i < 32; i++)
        {
            if (!t.Process.Mm.ReadUser64(va + (ulong)(i * 8), out ulong p) || p == 0)
            {
                break;
            }

            _sb.Append(i > 0 ? ", " : string.Empty);
            String(t, p, 4096);
        }

        _sb.Append(']');
    }
}
