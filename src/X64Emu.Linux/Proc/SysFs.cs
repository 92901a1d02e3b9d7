using X64Emu.Linux.Syscalls;
using X64Emu.Linux.Tasks;
using X64Emu.Linux.Vfs;

namespace X64Emu.Linux.Proc;

/// <summary>
/// The parts of /sys the emulator owns (/sys/kernel/mm/...); the rest of /sys passes through to the host.
/// </summary>
public static class SysFs
{
    public static bool Handles(string normalized) =>
        normalized.StartsWith("/sys/kernel/mm/hugepages", System.StringComparison.Ordinal)
        || normalized.StartsWith("/sys/kernel/mm/transparent_hugepage", System.StringComparison.Ordinal)
        || normalized.StartsWith("/sys/kernel/mm/ksm", System.StringComparison.Ordinal);

    public static long Open(Kernel k, GuestProcess p, string path, int flags, out FileDescription? file)
    {
        // TODO(#4): hugetlb pools, THP and KSM controls.
        _ = k;
        _ = p;
        _ = path;
        _ = flags;
        file = null;
        return -Errno.ENOENT;
    }
}
