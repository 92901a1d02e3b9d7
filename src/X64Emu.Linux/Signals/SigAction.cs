namespace X64Emu.Linux.Signals;

/// <summary>A kernel <c>struct sigaction</c> (x86-64: handler, flags, restorer, mask — 32 bytes).</summary>
public struct SigAction
{
    public const ulong SigDfl = 0;
    public const ulong SigIgn = 1;

    public const ulong SaNoCldStop = 0x1;
    public const ulong SaNoCldWait = 0x2;
    public const ulong SaSiginfo = 0x4;
    public const ulong SaOnStack = 0x0800_0000;
    public const ulong SaRestart = 0x1000_0000;
    public const ulong SaNoDefer = 0x4000_0000;
    public const ulong SaResetHand = 0x8000_0000;
    public const ulong SaRestorer = 0x0400_0000;

    public ulong Handler;
    public ulong Flags;
    public ulong Restorer;
    public ulong Mask;
}
