using System;
using System.Collections.Generic;
using System.Text;
using X64Emu.Linux.Syscalls;
using X64Emu.Linux.Tasks;
using X64Emu.Linux.Vfs;

namespace X64Emu.Linux.Proc;

/// <summary>
/// The synthetic /proc: every file is generated from the emulator's own state (the guest's VMAs,
/// page tables and counters), never from the host's /proc.
/// </summary>
public static partial class ProcFs
{
    /// <summary>Opens a normalised /proc path.</summary>
    public static long Open(Kernel k, GuestProcess self, string path, int flags, out FileDescription? file)
    {
        file = null;
        string rel = path.Length > 5 ? path.Substring(6) : string.Empty; // after "/proc/"
        rel = ResolveSelf(self, rel);
        bool write = (flags & OpenFlags.AccMode) != OpenFlags.RdOnly;

        if (rel.Length == 0)
        {
            file = RootDirectory(k, path, flags);
            return 0;
        }

        string[] parts = rel.Split('/');
        if (int.TryParse(parts[0], out int pid))
        {
            GuestProcess? p = k.FindProcess(pid);
            if (p == null || p.Zombie && parts.Length > 1 && parts[1] != "stat" && parts[1] != "status")
            {
                return -Errno.ENOENT;
            }

            return OpenPid(k, p!, parts, path, flags, write, out file);
        }

        if (parts[0] == "sys")
        {
            return OpenSysctl(k, self, parts, path, flags, write, out file);
        }

        if (write && parts.Length == 1)
        {
            return -Errno.EACCES;
        }

        if (parts.Length != 1 || !IsGlobal(parts[0]))
        {
            return -Errno.ENOENT;
        }

        string name = parts[0];
        file = new SyntheticFile(path, () => Encoding.UTF8.GetBytes(Global(k, name) ?? string.Empty), flags);
        return 0;
    }

    /// <summary>"self/x" → "PID/x", "thread-self/x" → "PID/task/TID/x" (treated as PID/x).</summary>
    private static string ResolveSelf(GuestProcess self, string rel)
    {
        if (rel == "self" || rel.StartsWith("self/", StringComparison.Ordinal))
        {
            return self.Pid + rel.Substring(4);
        }

        if (rel == "thread-self" || rel.StartsWith("thread-self/", StringComparison.Ordinal))
        {
            return self.Pid + rel.Substring(11);
        }

        return rel;
    }

    /// <summary>readlink on /proc: self, PID/exe, PID/cwd, PID/fd/N. Null when the path is not a /proc symlink.</summary>
    public static string? ReadLink(Kernel k, GuestProcess self, string path)
    {
        string rel = path.Length > 5 ? path.Substring(6) : string.Empty;
        if (rel == "self")
        {
            return self.Pid.ToString();
        }

        if (rel == "thread-self")
        {
            return $"{self.Pid}/task/{self.Pid}";
        }

        rel = ResolveSelf(self, rel);
        string[] parts = rel.Split('/');
        if (parts.Length < 2 || !int.TryParse(parts[0], out int pid))
        {
            return null;
        }

        GuestProcess? p = k.FindProcess(pid);
        if (p == null)
        {
            return null;
        }

        switch (parts[1])
        {
            case "exe" when parts.Length == 2:
                return p.ExePath;
            case "cwd" when parts.Length == 2:
                return p.Cwd;
            case "root" when parts.Length == 2:
                return "/";
            case "fd" when parts.Length == 3 && int.TryParse(parts[2], out int fd):
                return p.Fds.Get(fd)?.Path;
        }

        return null;
    }

    private static FileDescription RootDirectory(Kernel k, string path, int flags)
    {
        List<(string, byte)> entries = new();
        foreach (GuestProcess p in k.AllProcesses())
        {
            entries.Add((p.Pid.ToString(), SyntheticDirectory.DtDir));
        }

        foreach (string name in new[] { "self", "thread-self" })
        {
            entries.Add((name, SyntheticDirectory.DtLnk));
        }

        foreach (string name in new[] { "meminfo", "cpuinfo", "stat", "uptime", "version", "loadavg", "filesystems", "mounts", "buddyinfo" })
        {
            entries.Add((name, SyntheticDirectory.DtReg));
        }

        entries.Add(("sys", SyntheticDirectory.DtDir));
        return new SyntheticDirectory(path, entries, flags);
    }

    private static long OpenPid(Kernel k, GuestProcess p, string[] parts, string path, int flags, bool write, out FileDescription? file)
    {
        file = null;
        if (parts.Length == 1)
        {
            List<(string, byte)> entries = new();
            foreach (string n in new[] { "maps", "smaps", "smaps_rollup", "status", "statm", "stat", "cmdline", "environ", "comm", "pagemap", "auxv", "limits", "mounts" })
            {
                entries.Add((n, SyntheticDirectory.DtReg));
            }

            entries.Add(("exe", SyntheticDirectory.DtLnk));
            entries.Add(("cwd", SyntheticDirectory.DtLnk));
            entries.Add(("fd", SyntheticDirectory.DtDir));
            file = new SyntheticDirectory(path, entries, flags);
            return 0;
        }

        if (parts[1] == "fd")
        {
            if (parts.Length == 2)
            {
                List<(string, byte)> entries = new();
                foreach (int fd in p.Fds.OpenDescriptors())
                {
                    entries.Add((fd.ToString(), SyntheticDirectory.DtLnk));
                }

                file = new SyntheticDirectory(path, entries, flags);
                return 0;
            }

            // Opening /proc/PID/fd/N reopens the file it links to.
            string? target = parts.Length == 3 && int.TryParse(parts[2], out int n) ? p.Fds.Get(n)?.Path : null;
            return target == null ? -Errno.ENOENT : VfsOps.Open(k, p, Host.LibC.AtFdCwd, target, flags, 0, out file);
        }

        if (parts.Length != 2)
        {
            return -Errno.ENOENT;
        }

        if (parts[1] == "exe" || parts[1] == "cwd")
        {
            return VfsOps.Open(k, p, Host.LibC.AtFdCwd, parts[1] == "exe" ? p.ExePath : p.Cwd, flags, 0, out file);
        }

        if (write && parts[1] != "comm")
        {
            return -Errno.EACCES;
        }

        Func<byte[]>? content = parts[1] switch
        {
            "maps" => () => Encoding.ASCII.GetBytes(Maps(p, smaps: false)),
            "smaps" => () => Encoding.ASCII.GetBytes(Maps(p, smaps: true)),
            "smaps_rollup" => () => Encoding.ASCII.GetBytes(SmapsRollup(p)),
            "status" => () => Encoding.UTF8.GetBytes(Status(k, p)),
            "statm" => () => Encoding.ASCII.GetBytes(Statm(p)),
            "stat" => () => Encoding.UTF8.GetBytes(Stat(k, p)),
            "cmdline" => () => UserRange(p, p.Mm.ArgStart, p.Mm.ArgEnd),
            "environ" => () => UserRange(p, p.Mm.EnvStart, p.Mm.EnvEnd),
            "comm" => () => Encoding.UTF8.GetBytes(p.Comm + "\n"),
            "pagemap" => null,
            "auxv" => () => Array.Empty<byte>(),
            "limits" => () => Encoding.ASCII.GetBytes(Limits(p)),
            "mounts" => () => Encoding.ASCII.GetBytes(Global(k, "mounts")!),
            _ => null,
        };
        if (parts[1] == "pagemap")
        {
            file = new PagemapFile(path, p, flags);
            return 0;
        }

        if (content == null)
        {
            return -Errno.ENOENT;
        }

        Func<string, long>? onWrite = parts[1] == "comm" ? s => { p.Comm = s.TrimEnd('\n'); return 0; } : null;
        file = new SyntheticFile(path, content, flags, onWrite, parts[1] == "comm" ? 0x1A4u : 0x124u);
        return 0;
    }

    private static byte[] UserRange(GuestProcess p, ulong start, ulong end)
    {
        if (end <= start || end - start > 1 << 20)
        {
            return Array.Empty<byte>();
        }

        byte[] b = new byte[end - start];
        return p.Mm.ReadUser(start, b) ? b : Array.Empty<byte>();
    }

    private static string Limits(GuestProcess p)
    {
        string[] names = { "Max cpu time", "Max file size", "Max data size", "Max stack size", "Max core file size", "Max resident set",
            "Max processes", "Max open files", "Max locked memory", "Max address space", "Max file locks", "Max pending signals",
            "Max msgqueue size", "Max nice priority", "Max realtime priority", "Max realtime timeout" };
        string[] units = { "seconds", "bytes", "bytes", "bytes", "bytes", "bytes", "processes", "files", "bytes", "bytes", "locks", "signals", "bytes", "", "", "us" };
        StringBuilder sb = new();
        sb.Append($"{"Limit",-25} {"Soft Limit",-20} {"Hard Limit",-20} {"Units",-10}\n");
        for (int i = 0; i < names.Length; i++)
        {
            (ulong cur, ulong max) = p.Limits[i];
            string c = cur == Rlimit.Infinity ? "unlimited" : cur.ToString();
            string m = max == Rlimit.Infinity ? "unlimited" : max.ToString();
            sb.Append($"{names[i],-25} {c,-20} {m,-20} {units[i],-10}\n");
        }

        return sb.ToString();
    }
}
