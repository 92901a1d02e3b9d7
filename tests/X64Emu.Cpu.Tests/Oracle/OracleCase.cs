using System;

namespace X64Emu.Cpu.Tests.Oracle;

/// <summary>Adjusts a random input so that it hits an interesting path (equal operands, a small bit offset, ...).</summary>
public delegate void Shaper(Random rng, ref RegState s);

/// <summary>
/// One oracle case: instruction bytes plus what the SDM leaves undefined for them, and which inputs
/// must not be tried (they would fault on the host, or the result itself is undefined).
/// </summary>
public sealed class OracleCase
{
    public OracleCase(string name, byte[] code)
    {
        Name = name;
        Code = code;
    }

    public string Name { get; }

    public byte[] Code { get; }

    /// <summary>Arithmetic flags the SDM leaves undefined for this input (not compared).</summary>
    public Func<RegState, ulong> Undefined { get; init; } = static _ => 0;

    /// <summary>False for inputs that must not run (a #DE on the host, or an undefined destination).</summary>
    public Func<RegState, bool> Valid { get; init; } = static _ => true;

    public Shaper? Shape { get; init; }

    public override string ToString() => Name;
}
