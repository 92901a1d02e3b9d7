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
        w.Flush();
    }
}
