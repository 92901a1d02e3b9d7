using System;
using System.Globalization;
using System.IO;
using X64Emu.Linux;
using X64Emu.Linux.Syscalls;
using X64Emu.Memory;

namespace X64Emu.Cli;

/// <summary>--stats: counters printed at exit.</summary>
public static class Stats
{
    public static void Print(Kernel k, TextWriter w)
    {
        w.WriteLine("x64emu statistics:");
        w.WriteLine($"  emulated RAM        {k.Memory.Physical.Size >> 20} MiB, peak committed {k.Memory.PeakCommittedPages * 4} kB");
        foreach (AddressSpace s in k.Memory.LiveSpaces())
        {
            _ = s;
        }

        long[] counts = k.Syscalls.Counts;
        long total = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            total += counts[i];
        }

        w.WriteLine($"  syscalls            {total}");
        for (int i = 0; i < counts.Length; i++)
        {
            if (counts[i] > 0)
            {
                w.WriteLine($"    {SyscallNumber.Name(i),-20} {counts[i]}");
            }
        }

        k.FinalStats?.Invoke(w);
        w.WriteLine($"  peak RAM in use     {k.Memory.Physical.Allocator.PeakUsedFrames * 4} kB, every process with page tables and page cache");
        w.WriteLine($"  host peak RSS       {HostPeakRssKb()} kB, x64emu itself (VmHWM)");
        w.Flush();
    }

    /// <summary>
    /// The emulator process's own peak resident set (VmHWM in /proc/self/status), or -1 when unreadable.
    /// Compared with "peak RAM in use" it is the emulator's memory overhead (issue 5: at most 64 MiB).
    /// </summary>
    public static long HostPeakRssKb()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return -1;
    }
}
