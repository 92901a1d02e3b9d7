namespace X64Emu.Memory;

/// <summary>Why an access failed; the guest kernel turns it into a signal at the instruction boundary.</summary>
public enum FaultKind : byte
{
    None = 0,

    /// <summary>No VMA maps the address: SIGSEGV/SEGV_MAPERR.</summary>
    MapErr,

    /// <summary>A VMA maps it without the needed permission: SIGSEGV/SEGV_ACCERR.</summary>
    AccErr,

    /// <summary>The protection key forbids it (PKRU): SIGSEGV/SEGV_PKUERR.</summary>
    PkuErr,

    /// <summary>A file page beyond the end of the file, or no huge page left in the pool: SIGBUS/BUS_ADRERR.</summary>
    BusAdrErr,

    /// <summary>Emulated RAM is exhausted: the OOM killer sends SIGKILL.</summary>
    Oom,

    /// <summary>A non-canonical address: #GP, SIGSEGV with si_code SI_KERNEL and si_addr 0.</summary>
    GeneralProtection,
}
