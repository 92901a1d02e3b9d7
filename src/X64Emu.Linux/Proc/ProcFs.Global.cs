using System;
using System.Text;
using X64Emu.Cpu;
using X64Emu.Linux.Syscalls;
using X64Emu.Linux.Tasks;
using X64Emu.Linux.Vfs;
using X64Emu.Memory;
using X64Emu.Memory.Physical;

namespace X64Emu.Linux.Proc;

public static partial class ProcFs
{
    private static readonly string[] GlobalNames = { "meminfo", "cpuinfo", "uptime", "version", "loadavg", "filesystems", "mounts", "stat", "buddyinfo" };

    private static bool IsGlobal(string name) => Array.IndexOf(GlobalNames, name) >= 0;

    /// <summary>Machine-wide /proc files; null when the name is unknown.</summary>
    private static string? Global(Kernel k, string name) => name switch
    {
        "meminfo" => Meminfo(k),
        "cpuinfo" => Cpuinfo(),
        "uptime" => $"{(DateTime.UtcNow - k.BootTime).TotalSeconds:F2} {(DateTime.UtcNow - k.BootTime).TotalSeconds:F2}\n",
        "version" => $"Linux version {HostRelease()} (x64emu) #1 SMP\n",
        "loadavg" => $"0.00 0.00 0.00 1/{k.AllProcesses().Count} {k.Init?.Pid ?? 1}\n",
        "filesystems" => "nodev\tsysfs\nnodev\tproc\nnodev\ttmpfs\nnodev\thugetlbfs\n\text4\n",
        "mounts" => "/dev/root / ext4 rw,relatime 0 0\nproc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\nsysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\nhugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0\n",
        "stat" => $"cpu  0 0 0 0 0 0 0 0 0 0\nbtime {new DateTimeOffset(k.BootTime).ToUnixTimeSeconds()}\nprocesses {k.AllProcesses().Count}\nprocs_running 1\nprocs_blocked 0\n",
        "buddyinfo" => BuddyInfo(k),
        _ => null,
    };

    private static string HostRelease()
    {
        try
        {
            return System.IO.File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (System.IO.IOException)
        {
            return "6.0.0";
        }
    }

    /// <summary>/proc/meminfo from the emulated RAM, the frame census and commit accounting.</summary>
    public static string Meminfo(Kernel k)
    {
        MemorySystem m = k.Memory;
        PhysicalMemory ram = m.Physical;
        FrameCensus c = ram.Census();
        long total = ram.FrameCount;
        long free = ram.Allocator.FreeFrames;
        StringBuilder sb = new();
        void Line(string label, long pages) => sb.Append($"{label + ":",-16}{pages * 4,8} kB\n");
        void LineKb(string label, long kb) => sb.Append($"{label + ":",-16}{kb,8} kB\n");
        Line("MemTotal", total);
        Line("MemFree", free);
        Line("MemAvailable", free + c.File);
        Line("Buffers", 0);
        Line("Cached", c.File + c.Shmem);
        Line("SwapCached", 0);
        Line("Active", c.Anon + c.File + c.Shmem);
        Line("Inactive", 0);
        Line("Active(anon)", c.Anon + c.Shmem);
        Line("Inactive(anon)", 0);
        Line("Active(file)", c.File);
        Line("Inactive(file)", 0);
        Line("Unevictable", 0);
        Line("Mlocked", LockedPages(k));
        Line("SwapTotal", 0);
        Line("SwapFree", 0);
        Line("Zswap", 0);
        Line("Zswapped", 0);
        Line("Dirty", 0);
        Line("Writeback", 0);
        Line("AnonPages", c.Anon);
        Line("Mapped", c.File + c.Shmem);
        Line("Shmem", c.Shmem);
        Line("KReclaimable", 0);
        Line("Slab", 0);
        Line("SReclaimable", 0);
        Line("SUnreclaim", 0);
        Line("KernelStack", 0);
        Line("PageTables", c.PageTables);
        Line("SecPageTables", 0);
        Line("NFS_Unstable", 0);
        Line("Bounce", 0);
        Line("WritebackTmp", 0);
        Line("CommitLimit", m.CommitLimitPages);
        Line("Committed_AS", m.CommittedPages);
        LineKb("VmallocTotal", 34359738367);
        Line("VmallocUsed", 0);
        Line("VmallocChunk", 0);
        Line("Percpu", 0);
        Line("AnonHugePages", AnonHugePages(k) * 512);
        Line("ShmemHugePages", 0);
        Line("ShmemPmdMapped", 0);
        Line("FileHugePages", 0);
        Line("FilePmdMapped", 0);
        Line("Balloon", 0);
        sb.Append($"HugePages_Total:   {m.Huge2M.Total,5}\n");
        sb.Append($"HugePages_Free:    {m.Huge2M.Free,5}\n");
        sb.Append($"HugePages_Rsvd:    {m.Huge2M.Reserved,5}\n");
        sb.Append($"HugePages_Surp:    {m.Huge2M.Surplus,5}\n");
        LineKb("Hugepagesize", 2048);
        Line("Hugetlb", m.HugetlbPages);
        LineKb("DirectMap4k", total * 4);
        return sb.ToString();
    }

    private static long AnonHugePages(Kernel k)
    {
        long n = 0;
        foreach (AddressSpace s in k.Memory.LiveSpaces())
        {
            n += s.AnonHugePages;
        }

        return n;
    }

    private static long LockedPages(Kernel k)
    {
        long n = 0;
        foreach (AddressSpace s in k.Memory.LiveSpaces())
        {
            n += s.LockedVm;
        }

        return n;
    }

    private static string BuddyInfo(Kernel k)
    {
        StringBuilder sb = new("Node 0, zone   Normal ");
        for (int order = 0; order <= 10; order++)
        {
            sb.Append($"{k.Memory.Physical.Allocator.FreeBlocksOfOrder(order),6} ");
        }

        return sb.Append('\n').ToString();
    }

    private static string Cpuinfo()
    {
        StringBuilder flags = new();
        (uint Reg, uint Bit, string Name)[] names =
        {
            (1, CpuFeatures.Fpu, "fpu"), (1, CpuFeatures.Tsc, "tsc"), (1, CpuFeatures.Cx8, "cx8"), (1, CpuFeatures.Cmov, "cmov"),
            (1, CpuFeatures.Clflush, "clflush"), (1, CpuFeatures.Mmx, "mmx"), (1, CpuFeatures.Fxsr, "fxsr"), (1, CpuFeatures.Sse, "sse"),
            (1, CpuFeatures.Sse2, "sse2"), (3, CpuFeatures.Syscall, "syscall"), (3, CpuFeatures.Nx, "nx"), (3, CpuFeatures.Lm, "lm"),
            (2, CpuFeatures.Sse3, "pni"), (2, CpuFeatures.Ssse3, "ssse3"), (2, CpuFeatures.Cx16, "cx16"), (2, CpuFeatures.Sse41, "sse4_1"),
            (2, CpuFeatures.Sse42, "sse4_2"), (2, CpuFeatures.Movbe, "movbe"), (2, CpuFeatures.Popcnt, "popcnt"),
            (4, CpuFeatures.Bmi1, "bmi1"), (4, CpuFeatures.Bmi2, "bmi2"), (4, CpuFeatures.Erms, "erms"), (5, CpuFeatures.Pku, "pku"), (5, CpuFeatures.Ospke, "ospke"),
        };
        foreach ((uint reg, uint bit, string name) in names)
        {
            uint v = reg switch
            {
                1 => CpuFeatures.Leaf1Edx,
                2 => CpuFeatures.Leaf1Ecx,
                3 => CpuFeatures.Ext1Edx,
                4 => CpuFeatures.Leaf7Ebx,
                _ => CpuFeatures.Leaf7Ecx,
            };
            if ((v & bit) != 0)
            {
                flags.Append(flags.Length > 0 ? " " : string.Empty).Append(name);
            }
        }

        StringBuilder sb = new();
        for (int cpu = 0; cpu < Environment.ProcessorCount; cpu++)
        {
            sb.Append($"processor\t: {cpu}\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\nmodel name\t: X64Emu virtual CPU (interpreter)\n");
            sb.Append($"stepping\t: 4\ncpu MHz\t\t: 1000.000\ncache size\t: 8192 KB\nphysical id\t: 0\nsiblings\t: {Environment.ProcessorCount}\n");
            sb.Append($"core id\t\t: {cpu}\ncpu cores\t: {Environment.ProcessorCount}\napicid\t\t: {cpu}\nfpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: 7\nwp\t\t: yes\n");
            sb.Append($"flags\t\t: {flags}\nbogomips\t: 2000.00\nclflush size\t: 64\ncache_alignment\t: 64\naddress sizes\t: 46 bits physical, 48 bits virtual\npower management:\n\n");
        }

        return sb.ToString();
    }

    /// <summary>/proc/sys: the vm sysctls are the memory system's own settings and writable by root.</summary>
    private static long OpenSysctl(Kernel k, GuestProcess self, string[] parts, string path, int flags, bool write, out FileDescription? file)
    {
        file = null;
        if (parts.Length != 3)
        {
            return -Errno.ENOENT;
        }

        MemorySystem m = k.Memory;
        string key = parts[1] + "/" + parts[2];
        (Func<string>? get, Func<long, long>? set) = Sysctl(k, m, key);
        if (get == null)
        {
            return -Errno.ENOENT;
        }

        if (write && (set == null || self.Creds.Euid != 0))
        {
            return -Errno.EACCES;
        }

        Func<string, long>? onWrite = set == null ? null : text =>
        {
            string t = text.Trim();
            return long.TryParse(t, out long v) ? set(v) : -Errno.EINVAL;
        };
        file = new SyntheticFile(path, get() + "\n", flags, onWrite, set != null ? 0x1A4u : 0x124u);
        return 0;
    }

    private static (Func<string>? Get, Func<long, long>? Set) Sysctl(Kernel k, MemorySystem m, string key)
    {
        switch (key)
        {
            case "vm/overcommit_memory":
                return (() => ((int)m.Overcommit).ToString(), v => v is >= 0 and <= 2 ? Set(() => m.Overcommit = (OvercommitMode)v) : -Errno.EINVAL);
            case "vm/overcommit_ratio":
                return (() => m.OvercommitRatio.ToString(), v => v >= 0 && v <= int.MaxValue ? Set(() => m.OvercommitRatio = (int)v) : -Errno.EINVAL);
            case "vm/overcommit_kbytes":
                return (() => m.OvercommitKbytes.ToString(), v => v >= 0 ? Set(() => m.OvercommitKbytes = (ulong)v) : -Errno.EINVAL);
            case "vm/max_map_count":
                return (() => m.MaxMapCount.ToString(), v => v >= 0 && v <= int.MaxValue ? Set(() => m.MaxMapCount = (int)v) : -Errno.EINVAL);
            case "vm/mmap_min_addr":
                return (() => m.MmapMinAddr.ToString(), v => v >= 0 ? Set(() => m.MmapMinAddr = (ulong)v) : -Errno.EINVAL);
            case "vm/admin_reserve_kbytes":
                return (() => m.AdminReserveKbytes.ToString(), v => v >= 0 ? Set(() => m.AdminReserveKbytes = (ulong)v) : -Errno.EINVAL);
            case "vm/user_reserve_kbytes":
                return (() => m.UserReserveKbytes.ToString(), v => v >= 0 ? Set(() => m.UserReserveKbytes = (ulong)v) : -Errno.EINVAL);
            case "vm/nr_hugepages":
            case "vm/nr_hugepages_mempolicy":
                return (() => m.Huge2M.Total.ToString(), v => v >= 0 ? Set(() => m.Huge2M.SetPersistent(v)) : -Errno.EINVAL);
            case "vm/nr_overcommit_hugepages":
                return (() => m.Huge2M.OvercommitMax.ToString(), v => v >= 0 ? Set(() => m.Huge2M.OvercommitMax = v) : -Errno.EINVAL);
            case "vm/swappiness":
                return (() => "60", null);
            case "vm/legacy_va_layout":
                return (() => "0", null);
            case "kernel/osrelease":
                return (HostRelease, null);
            case "kernel/ostype":
                return (() => "Linux", null);
            case "kernel/pid_max":
                return (() => "4194304", null);
            case "kernel/randomize_va_space":
                return (() => "0", null);
            case "kernel/hostname":
                return (() => Environment.MachineName, null);
            default:
                return (null, null);
        }
    }

    private static long Set(Action a)
    {
        a();
        return 0;
    }
}
