namespace X64Emu.Memory;

/// <summary>
/// Told when code the CPU may have decoded stops being valid: a range was unmapped or reprotected,
/// or a frame holding decoded code was written. The CPU layer's block cache implements it.
/// </summary>
public interface ICodeObserver
{
    /// <summary>Decoded blocks overlapping [start, end) must not run again. Called with the address-space lock held.</summary>
    void InvalidateCode(ulong start, ulong end);
}
