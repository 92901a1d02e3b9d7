namespace X64Emu.Cpu;

public sealed partial class Cpu
{
    /// <summary>Resets the x87/SSE control state to its power-up values (FNINIT, MXCSR 0x1F80).</summary>
    private void InitFpu()
    {
        // TODO(#2): the x87 register stack arrives with the x87 family.
    }
}
