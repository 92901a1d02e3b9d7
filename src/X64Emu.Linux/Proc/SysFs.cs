using System;
using System.Collections.Generic;
using X64Emu.Linux.Syscalls;
using X64Emu.Linux.Tasks;
using X64Emu.Linux.Vfs;
using X64Emu.Memory;
using X64Emu.Memory.Hugetlb;

namespace X64Emu.Linux.Proc;

/// <summary>
/// The parts of /sys the emulator owns — /sys/kernel/mm/hugepages (one directory per pool) and
/// /sys/kernel/mm/transparent_hugepage — derived from and written to the memory system; the rest
/// of /sys passes through to the host.
/// </summary>
public static class SysFs
{
    private const string Root = "/sys/kernel/mm";

    private static readonly string[] PoolFiles =
        { "free_hugepages", "nr_hugepages", "nr_hugepages_mempolicy", "nr_overcommit_hugepages", "resv_hugepages", "surplus_hugepages" };

    public static bool Handles(string normalized) =>
        normalized.StartsWith(Root + "/hugepages", StringComparison.Ordinal)
        || normalized.StartsWith(Root + "/transparent_hugepage", StringComparison.Ordinal)
        || normalized.StartsWith(Root + "/ksm", StringComparison.Ordinal);

    public static long Open(Kernel k, GuestProcess p, string path, int flags, out FileDescription? file)
    {
        file = null;
        MemorySystem m = k.Memory;
        bool write = (flags & OpenFlags.AccMode) != OpenFlags.RdOnly;
        string rel = path.Substring(Root.Length + 1);
        string[] parts = rel.Split('/');
        if (parts[0] == "hugepages")
        {
            if (parts.Length == 1)
            {
                return Directory(path, flags, write, new() { ("hugepages-1048576kB", SyntheticDirectory.DtDir), ("hugepages-2048kB", SyntheticDirectory.DtDir) }, out file);
            }

            HugetlbPool? pool = parts[1] switch
            {
                "hugepages-2048kB" => m.Huge2M,
                "hugepages-1048576kB" => m.Huge1G,
                _ => null,
            };
            if (pool == null || parts.Length > 3)
            {
                return -Errno.ENOENT;
            }

            if (parts.Length == 2)
            {
                List<(string, byte)> names = new();
                foreach (string n in PoolFiles)
                {
                    names.Add((n, SyntheticDirectory.DtReg));
                }

                return Directory(path, flags, write, names, out file);
            }

            (Func<long>? get, Func<long, long>? set) = PoolAttribute(pool, parts[2]);
            if (get == null)
            {
                return -Errno.ENOENT;
            }

            return Attribute(p, path, flags, write, get().ToString(), set, out file);
        }

        if (parts[0] == "ksm")
        {
            return OpenKsm(p, m, path, parts, flags, write, out file);
        }

        // transparent_hugepage
        if (parts.Length == 1)
        {
            return Directory(path, flags, write, new() { ("defrag", SyntheticDirectory.DtReg), ("enabled", SyntheticDirectory.DtReg), ("hpage_pmd_size", SyntheticDirectory.DtReg), ("use_zero_page", SyntheticDirectory.DtReg) }, out file);
        }

        switch (parts.Length == 2 ? parts[1] : "")
        {
            case "enabled":
                return Choice(p, path, flags, write, new[] { "always", "madvise", "never" }, (int)m.ThpEnabled, v => m.ThpEnabled = (ThpMode)v, out file);
            case "defrag":
                return Choice(p, path, flags, write, new[] { "always", "defer", "defer+madvise", "madvise", "never" }, (int)m.ThpDefrag, v => m.ThpDefrag = (ThpDefrag)v, out file);
            case "hpage_pmd_size":
                return Attribute(p, path, flags, write, "2097152", null, out file);
            case "use_zero_page":
                return Attribute(p, path, flags, write, "1", null, out file);
            default:
                return -Errno.ENOENT;
        }
    }

    private static readonly string[] KsmFiles =
    {
        "full_scans", "ksm_zero_pages", "max_page_sharing", "merge_across_nodes", "pages_scanned", "pages_shared",
        "pages_sharing", "pages_to_scan", "pages_unshared", "pages_volatile", "run", "sleep_millisecs",
        "stable_node_chains", "stable_node_dups", "use_zero_pages",
    };

    /// <summary>/sys/kernel/mm/ksm: run, pages_to_scan and sleep_millisecs are writable by root; the rest report the scanner.</summary>
    private static long OpenKsm(GuestProcess p, MemorySystem m, string path, string[] parts, int flags, bool write, out FileDescription? file)
    {
        file = null;
        if (parts.Length == 1)
        {
            List<(string, byte)> names = new();
            foreach (string n in KsmFiles)
            {
                names.Add((n, SyntheticDirectory.DtReg));
            }

            return Directory(path, flags, write, names, out file);
        }

        Memory.Ksm.KsmDaemon k = m.Ksm;
        (Func<long>? get, Func<long, long>? set) = parts.Length != 2 ? (null, null) : parts[1] switch
        {
            "run" => (() => (long)k.Run, v => v is >= 0 and <= 2 ? Apply(() => k.Run = (int)v) : -Errno.EINVAL),
            "pages_to_scan" => (() => (long)k.PagesToScan, v => v is > 0 and <= int.MaxValue ? Apply(() => k.PagesToScan = (int)v) : -Errno.EINVAL),
            "sleep_millisecs" => (() => (long)k.SleepMillisecs, v => v is > 0 and <= int.MaxValue ? Apply(() => k.SleepMillisecs = (int)v) : -Errno.EINVAL),
            "pages_shared" => (() => k.Sharing().Shared, null),
            "pages_sharing" => (() => k.Sharing().Sharing, null),
            "pages_unshared" => (() => k.PagesUnshared, null),
            "pages_volatile" => (() => k.PagesVolatile, null),
            "pages_scanned" => (() => k.PagesScanned, null),
            "full_scans" => (() => k.FullScans, null),
            "max_page_sharing" => (() => 256L, null),
            "merge_across_nodes" => (() => 1L, null),
            "use_zero_pages" => (() => 0L, null),
            "ksm_zero_pages" or "stable_node_chains" or "stable_node_dups" => (() => 0L, null),
            _ => ((Func<long>?)null, (Func<long, long>?)null),
        };
        if (get == null)
        {
            return -Errno.ENOENT;
        }

        return Attribute(p, path, flags, write, get().ToString(), set, out file);
    }

    private static long Apply(Action a)
    {
        a();
        return 0;
    }

    private static (Func<long>? Get, Func<long, long>? Set) PoolAttribute(HugetlbPool pool, string name) => name switch
    {
        "nr_hugepages" or "nr_hugepages_mempolicy" => (() => pool.Total, v => { pool.SetPersistent(v); return 0; }),
        "free_hugepages" => (() => pool.Free, null),
        "resv_hugepages" => (() => pool.Reserved, null),
        "surplus_hugepages" => (() => pool.Surplus, null),
        "nr_overcommit_hugepages" => (() => pool.OvercommitMax, v => { pool.OvercommitMax = v; return 0; }),
        _ => (null, null),
    };

    private static long Directory(string path, int flags, bool write, List<(string, byte)> entries, out FileDescription? file)
    {
        file = null;
        if (write)
        {
            return -Errno.EISDIR;
        }

        file = new SyntheticDirectory(path, entries, flags);
        return 0;
    }

    private static long Attribute(GuestProcess p, string path, int flags, bool write, string value, Func<long, long>? set, out FileDescription? file)
    {
        file = null;
        if (write && (set == null || p.Creds.Euid != 0))
        {
            return -Errno.EACCES;
        }

        Func<string, long>? onWrite = set == null ? null : text =>
            long.TryParse(text.Trim(), out long v) && v >= 0 ? set(v) : -Errno.EINVAL;
        file = new SyntheticFile(path, value + "\n", flags, onWrite, set != null ? 0x1A4u : 0x124u);
        return 0;
    }

    /// <summary>A sysfs choice file: "always [madvise] never", written with one of the words.</summary>
    private static long Choice(GuestProcess p, string path, int flags, bool write, string[] words, int current, Action<int> set, out FileDescription? file)
    {
        file = null;
        if (write && p.Creds.Euid != 0)
        {
            return -Errno.EACCES;
        }

        List<string> shown = new();
        for (int i = 0; i < words.Length; i++)
        {
            shown.Add(i == current ? $"[{words[i]}]" : words[i]);
        }

        Func<string, long> onWrite = text =>
        {
            int i = Array.IndexOf(words, text.Trim());
            if (i < 0)
            {
                return -Errno.EINVAL;
            }

            set(i);
            return 0;
        };
        file = new SyntheticFile(path, string.Join(' ', shown) + "\n", flags, onWrite, 0x1A4u);
        return 0;
    }
}
