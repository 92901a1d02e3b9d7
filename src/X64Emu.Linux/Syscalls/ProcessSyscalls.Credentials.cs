using System;
using X64Emu.Linux.Tasks;

namespace X64Emu.Linux.Syscalls;

/// <summary>
/// The set*id family on the emulated credential set (kernel/sys.c): a guest that starts as the host user
/// can switch ids within Linux's rules without touching the host's own credentials. An euid of 0 stands
/// for CAP_SETUID/CAP_SETGID. The user and group calls share one implementation over (real, effective,
/// saved, filesystem) id quadruples.
/// </summary>
public static unsafe partial class ProcessSyscalls
{
    private const uint NoId = uint.MaxValue;

    static partial void RegisterCredentials(SyscallTable t)
    {
        t.Define(SyscallNumber.Setuid, &Setuid);
        t.Define(SyscallNumber.Setgid, &Setgid);
        t.Define(SyscallNumber.Setreuid, &Setreuid);
        t.Define(SyscallNumber.Setregid, &Setregid);
        t.Define(SyscallNumber.Setresuid, &Setresuid);
        t.Define(SyscallNumber.Setresgid, &Setresgid);
        t.Define(SyscallNumber.Setfsuid, &Setfsuid);
        t.Define(SyscallNumber.Setfsgid, &Setfsgid);
        t.Define(SyscallNumber.Setgroups, &Setgroups);
    }

    public static long Setuid(GuestThread t, ref SyscallArgs a)
    {
        Credentials c = t.Process.Creds;
        lock (c)
        {
            return SetId(c.Euid == 0, (uint)a.A0, ref c.Uid, ref c.Euid, ref c.Suid, ref c.Fsuid);
        }
    }

    public static long Setgid(GuestThread t, ref SyscallArgs a)
    {
        Credentials c = t.Process.Creds;
        lock (c)
        {
            return SetId(c.Euid == 0, (uint)a.A0, ref c.Gid, ref c.Egid, ref c.Sgid, ref c.Fsgid);
        }
    }

    public static long Setreuid(GuestThread t, ref SyscallArgs a)
    {
        Credentials c = t.Process.Creds;
        lock (c)
        {
            return SetReId(c.Euid == 0, (uint)a.A0, (uint)a.A1, ref c.Uid, ref c.Euid, ref c.Suid, ref c.Fsuid);
        }
    }

    public static long Setregid(GuestThread t, ref SyscallArgs a)
    {
        Credentials c = t.Process.Creds;
        lock (c)
        {
            return SetReId(c.Euid == 0, (uint)a.A0, (uint)a.A1, ref c.Gid, ref c.Egid, ref c.Sgid, ref c.Fsgid);
        }
    }

    public static long Setresuid(GuestThread t, ref SyscallArgs a)
    {
        Credentials c = t.Process.Creds;
        lock (c)
        {
            return SetResId(c.Euid == 0, (uint)a.A0, (uint)a.A1, (uint)a.A2, ref c.Uid, ref c.Euid, ref c.Suid, ref c.Fsuid);
        }
    }

    public static long Setresgid(GuestThread t, ref SyscallArgs a)
    {
        Credentials c = t.Process.Creds;
        lock (c)
        {
            return SetResId(c.Euid == 0, (uint)a.A0, (uint)a.A1, (uint)a.A2, ref c.Gid, ref c.Egid, ref c.Sgid, ref c.Fsgid);
        }
    }

    public static long Setfsuid(GuestThread t, ref SyscallArgs a)
    {
        Credentials c = t.Process.Creds;
        lock (c)
        {
            return SetFsId(c.Euid == 0, (uint)a.A0, c.Uid, c.Euid, c.Suid, ref c.Fsuid);
        }
    }

    public static long Setfsgid(GuestThread t, ref SyscallArgs a)
    {
        Credentials c = t.Process.Creds;
        lock (c)
        {
            return SetFsId(c.Euid == 0, (uint)a.A0, c.Gid, c.Egid, c.Sgid, ref c.Fsgid);
        }
    }

    /// <summary>setuid/setgid: privileged sets all four ids; otherwise the effective id may become the real or saved one. -1 is EINVAL.</summary>
    private static long SetId(bool priv, uint id, ref uint r, ref uint e, ref uint s, ref uint fs)
    {
        if (id == NoId)
        {
            return -Errno.EINVAL;
        }

        if (priv)
        {
            r = e = s = fs = id;
            return 0;
        }

        if (id != r && id != s)
        {
            return -Errno.EPERM;
        }

        e = fs = id;
        return 0;
    }

    /// <summary>
    /// setreuid/setregid: -1 keeps an id. Unprivileged, the real id may become the real or effective one,
    /// the effective id any of the three; the saved id follows the new effective id when the real id is set
    /// or the effective id differs from the old real id.
    /// </summary>
    private static long SetReId(bool priv, uint nr, uint ne, ref uint r, ref uint e, ref uint s, ref uint fs)
    {
        if (nr != NoId && !priv && nr != r && nr != e)
        {
            return -Errno.EPERM;
        }

        if (ne != NoId && !priv && ne != r && ne != e && ne != s)
        {
            return -Errno.EPERM;
        }

        uint newR = nr != NoId ? nr : r;
        uint newE = ne != NoId ? ne : e;
        if (nr != NoId || (ne != NoId && ne != r))
        {
            s = newE;
        }

        r = newR;
        e = fs = newE;
        return 0;
    }

    /// <summary>setresuid/setresgid: -1 keeps an id; unprivileged, each new id must be one of the current three.</summary>
    private static long SetResId(bool priv, uint nr, uint ne, uint ns, ref uint r, ref uint e, ref uint s, ref uint fs)
    {
        if (!priv)
        {
            foreach (uint id in new[] { nr, ne, ns })
            {
                if (id != NoId && id != r && id != e && id != s)
                {
                    return -Errno.EPERM;
                }
            }
        }

        r = nr != NoId ? nr : r;
        e = ne != NoId ? ne : e;
        s = ns != NoId ? ns : s;
        fs = e;
        return 0;
    }

    /// <summary>setfsuid/setfsgid: always return the previous id; change it when allowed.</summary>
    private static long SetFsId(bool priv, uint id, uint r, uint e, uint s, ref uint fs)
    {
        uint old = fs;
        if (id != NoId && (priv || id == r || id == e || id == s || id == fs))
        {
            fs = id;
        }

        return old;
    }

    /// <summary>setgroups: needs CAP_SETGID (EPERM, checked first); at most NGROUPS_MAX (65536) entries (EINVAL).</summary>
    public static long Setgroups(GuestThread t, ref SyscallArgs a)
    {
        Credentials c = t.Process.Creds;
        if (c.Euid != 0)
        {
            return -Errno.EPERM;
        }

        if (a.A0 > 65536)
        {
            return -Errno.EINVAL;
        }

        int n = (int)a.A0;
        byte[] raw = new byte[n * 4];
        if (n > 0 && !t.Process.Mm.ReadUser(a.A1, raw))
        {
            return -Errno.EFAULT;
        }

        uint[] groups = new uint[n];
        Buffer.BlockCopy(raw, 0, groups, 0, raw.Length);
        Array.Sort(groups);
        lock (c)
        {
            c.Groups = groups;
        }

        return 0;
    }
}
