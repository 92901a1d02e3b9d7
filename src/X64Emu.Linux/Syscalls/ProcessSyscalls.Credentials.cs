using System;
using X64Emu.Linux.Tasks;

namespace X64Emu.Linux.Syscalls;

/// <summary>
/// The set*id family on the emulated credential set (kernel/sys.c): a guest that starts as the host user
/// can switch ids within Linux's rules without touching the host's own credentials. An euid of 0 stands
/// for CAP_SETUID/CAP_SETGID.
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

    /// <summary>setuid: privileged sets all four ids; otherwise the effective id may become the real or saved one.</summary>
    public static long Setuid(GuestThread t, ref SyscallArgs a)
    {
        uint id = (uint)a.A0;
        Credentials c = t.Process.Creds;
        if (id == NoId)
        {
            return -Errno.EINVAL;
        }

        lock (c)
        {
            if (c.Euid == 0)
            {
                c.Uid = c.Euid = c.Suid = c.Fsuid = id;
                return 0;
            }

            if (id != c.Uid && id != c.Suid)
            {
                return -Errno.EPERM;
            }

            c.Euid = c.Fsuid = id;
            return 0;
        }
    }

    public static long Setgid(GuestThread t, ref SyscallArgs a)
    {
        uint id = (uint)a.A0;
        Credentials c = t.Process.Creds;
        if (id == NoId)
        {
            return -Errno.EINVAL;
        }

        lock (c)
        {
            if (c.Euid == 0)
            {
                c.Gid = c.Egid = c.Sgid = c.Fsgid = id;
                return 0;
            }

            if (id != c.Gid && id != c.Sgid)
            {
                return -Errno.EPERM;
            }

            c.Egid = c.Fsgid = id;
            return 0;
        }
    }

    /// <summary>
    /// setreuid: -1 keeps an id. Unprivileged, the real id may become the real or effective one, the effective
    /// id any of the three; the saved id follows the new effective id when the real id is set or the
    /// effective id differs from the old real id.
    /// </summary>
    public static long Setreuid(GuestThread t, ref SyscallArgs a)
    {
        Credentials c = t.Process.Creds;
        lock (c)
        {
            (uint r, uint e, uint s) = (c.Uid, c.Euid, c.Suid);
            uint nr = (uint)a.A0, ne = (uint)a.A1;
            bool priv = c.Euid == 0;
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
                c.Suid = newE;
            }

            c.Uid = newR;
            c.Euid = c.Fsuid = newE;
            return 0;
        }
    }

    public static long Setregid(GuestThread t, ref SyscallArgs a)
    {
        Credentials c = t.Process.Creds;
        lock (c)
        {
            (uint r, uint e, uint s) = (c.Gid, c.Egid, c.Sgid);
            uint nr = (uint)a.A0, ne = (uint)a.A1;
            bool priv = c.Euid == 0;
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
                c.Sgid = newE;
            }

            c.Gid = newR;
            c.Egid = c.Fsgid = newE;
            return 0;
        }
    }

    /// <summary>setresuid: -1 keeps an id; unprivileged, each new id must be one of the current three.</summary>
    public static long Setresuid(GuestThread t, ref SyscallArgs a)
    {
        Credentials c = t.Process.Creds;
        lock (c)
        {
            uint[] want = { (uint)a.A0, (uint)a.A1, (uint)a.A2 };
            if (c.Euid != 0)
            {
                foreach (uint id in want)
                {
                    if (id != NoId && id != c.Uid && id != c.Euid && id != c.Suid)
                    {
                        return -Errno.EPERM;
                    }
                }
            }

            if (want[0] != NoId)
            {
                c.Uid = want[0];
            }

            if (want[1] != NoId)
            {
                c.Euid = want[1];
            }

            if (want[2] != NoId)
            {
                c.Suid = want[2];
            }

            c.Fsuid = c.Euid;
            return 0;
        }
    }

    public static long Setresgid(GuestThread t, ref SyscallArgs a)
    {
        Credentials c = t.Process.Creds;
        lock (c)
        {
            uint[] want = { (uint)a.A0, (uint)a.A1, (uint)a.A2 };
            if (c.Euid != 0)
            {
                foreach (uint id in want)
                {
                    if (id != NoId && id != c.Gid && id != c.Egid && id != c.Sgid)
                    {
                        return -Errno.EPERM;
                    }
                }
            }

            if (want[0] != NoId)
            {
                c.Gid = want[0];
            }

            if (want[1] != NoId)
            {
                c.Egid = want[1];
            }

            if (want[2] != NoId)
            {
                c.Sgid = want[2];
            }

            c.Fsgid = c.Egid;
            return 0;
        }
    }

    /// <summary>setfsuid: always returns the previous fsuid; changes it when allowed.</summary>
    public static long Setfsuid(GuestThread t, ref SyscallArgs a)
    {
        Credentials c = t.Process.Creds;
        lock (c)
        {
            uint old = c.Fsuid;
            uint id = (uint)a.A0;
            if (id != NoId && (c.Euid == 0 || id == c.Uid || id == c.Euid || id == c.Suid || id == c.Fsuid))
            {
                c.Fsuid = id;
            }

            return old;
        }
    }

    public static long Setfsgid(GuestThread t, ref SyscallArgs a)
    {
        Credentials c = t.Process.Creds;
        lock (c)
        {
            uint old = c.Fsgid;
            uint id = (uint)a.A0;
            if (id != NoId && (c.Euid == 0 || id == c.Gid || id == c.Egid || id == c.Sgid || id == c.Fsgid))
            {
                c.Fsgid = id;
            }

            return old;
        }
    }

    /// <summary>setgroups: needs CAP_SETGID (EPERM, checked first); at most NGROUPS_MAX (65536) entries (EINVAL).</summary>
    public static long Setgroups(GuestThread t, ref SyscallArgs a)
    {
        Credentials c = t.Process.Creds;
        if (c.Euid != 0)
        {
            return -Errno.EPERM; // checked first (may_setgroups), then the size
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
