namespace X64Emu.Cpu.Jit;

/// <summary>When blocks are compiled to IL (the CLI's --jit option).</summary>
public enum JitMode
{
    /// <summary>Interpreter only.</summary>
    Off,

    /// <summary>Blocks that run often are compiled on a background thread; the interpreter runs them meanwhile.</summary>
    On,

    /// <summary>Every block is compiled before its first run, on the CPU's thread (for testing the compiler).</summary>
    Eager,
}
