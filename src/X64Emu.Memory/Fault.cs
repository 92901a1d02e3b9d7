namespace X64Emu.Memory;

/// <summary>A failed access: what, where, and which protection key (for SEGV_PKUERR's si_pkey).</summary>
public struct Fault
{
    public FaultKind Kind;
    public Access Access;
    public ulong Va;
    public int Pkey;

    public Fault(FaultKind kind, Access access, ulong va, int pkey = 0)
    {
        Kind = kind;
        Access = access;
        Va = va;
        Pkey = pkey;
    }

    public readonly bool IsFault => Kind != FaultKind.None;

    public override readonly string ToString() => $"{Kind} {Access} at 0x{Va:x}";
}
