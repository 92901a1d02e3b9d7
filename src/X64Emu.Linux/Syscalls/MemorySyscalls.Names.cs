using X64Emu.Linux.Tasks;

namespace X64Emu.Linux.Syscalls;

public static unsafe partial class MemorySyscalls
{
    /// <summary>prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, addr, len, name).</summary>
    public static long SetVmaAnonName(GuestThread t, ulong option, ulong addr, ulong len, ulong nameVa)
    {
        if (option != 0)
        {
            return -Errno.EINVAL;
        }

        string? name = null;
        if (nameVa != 0)
        {
            name = t.Process.Mm.ReadUserString(nameVa, 80);
            if (name == null)
            {
                return -Errno.EFAULT;
            }

            foreach (char c in name)
            {
                if (c < 0x20 || c > 0x7E || c is '[' or ']' or '\\' or '$' or '`')
                {
                    return -Errno.EINVAL;
                }
            }
        }

        return -(long)t.Process.Mm.SetAnonName(addr, len, name);
    }
}
