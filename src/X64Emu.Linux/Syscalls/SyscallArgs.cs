namespace X64Emu.Linux.Syscalls;

/// <summary>The six syscall arguments (RDI, RSI, RDX, R10, R8, R9).</summary>
public struct SyscallArgs
{
    public ulong A0;
    public ulong A1;
    public ulong A2;
    public ulong A3;
    public ulong A4;
    public ulong A5;

    public readonly ulong this[int i] => i switch
    {
        0 => A0,
        1 => A1,
        2 => A2,
        3 => A3,
        4 => A4,
        _ => A5,
    };
}
