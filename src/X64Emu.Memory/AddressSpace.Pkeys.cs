namespace X64Emu.Memory;

/// <summary>Protection-key allocation (arch/x86/include/asm/pkeys.h): 16 keys per mm, key 0 always allocated.</summary>
public sealed partial class AddressSpace
{
    /// <summary>Bit k set: key k is allocated (mm->context.pkey_allocation_map).</summary>
    public ushort PkeyMap { get; internal set; } = 1;

    /// <summary>pkey_alloc: the lowest free key 1..15, or -1 when all are taken (ENOSPC).</summary>
    public int AllocatePkey()
    {
        lock (_lock)
        {
            for (int k = 1; k < 16; k++)
            {
                if ((PkeyMap & (1 << k)) == 0)
                {
                    PkeyMap |= (ushort)(1 << k);
                    return k;
                }
            }

            return -1;
        }
    }

    /// <summary>pkey_free: false (EINVAL) for key 0 or a key that is not allocated. VMAs keep the key, as on Linux.</summary>
    public bool FreePkey(long key)
    {
        lock (_lock)
        {
            if (key <= 0 || key >= 16 || (PkeyMap & (1 << (int)key)) == 0)
            {
                return false;
            }

            PkeyMap &= (ushort)~(1 << (int)key);
            return true;
        }
    }

    public bool IsPkeyAllocated(long key) => key >= 0 && key < 16 && (PkeyMap & (1 << (int)key)) != 0;
}
