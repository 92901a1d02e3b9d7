using System.Collections.Generic;
using System.Threading;
using X64Emu.Cpu.Jit;

namespace X64Emu.Cpu.Decode;

/// <summary>
/// A decoded basic block: instructions from <see cref="Start"/> up to and including the first that
/// can change control flow (or a length limit), with two chained successors so the dispatch loop
/// usually skips the cache lookup.
/// </summary>
public sealed class Block
{
    public Block(ulong start, ulong end, Insn[] insns, int count, byte[] code)
    {
        Start = start;
        End = end;
        Insns = insns;
        Count = count;
        Code = code;
    }

    /// <summary>The guest bytes the block was decoded from (Start..End), for the compiled tier.</summary>
    public byte[] Code { get; }

    public ulong Start { get; }

    /// <summary>Address after the last instruction.</summary>
    public ulong End { get; }

    /// <summary>Decoded instructions; <see cref="Count"/> are used, the last one always ends the block.</summary>
    public Insn[] Insns { get; }

    public int Count { get; }

    private volatile bool _valid = true;

    /// <summary>False once the code it came from was unmapped, reprotected or written.</summary>
    public bool Valid => _valid;

    /// <summary>Marks the block stale, and every compiled region that contains it (under the block cache's lock).</summary>
    public void Invalidate()
    {
        _valid = false;
        if (Dependents != null)
        {
            foreach (JitRegion r in Dependents)
            {
                r.Invalidate();
            }

            Dependents = null;
        }
    }

    /// <summary>Compiled code that can be entered at this block (a region it belongs to), once the JIT has produced it.</summary>
    public volatile JitEntry? Compiled;

    /// <summary>Regions that contain this block (guarded by the block cache's lock).</summary>
    internal List<JitRegion>? Dependents;

    internal const int JitNone = 0;
    internal const int JitQueued = 1;
    internal const int JitDone = 2;

    /// <summary>Compilation state: none, queued, done (compiled or given up).</summary>
    internal int JitState;

    /// <summary>Times entered (for choosing blocks for a compiled tier).</summary>
    public long Executions;

    // Chained successors (taken / fall-through). Written racily by CPUs of the same space: a torn
    // pair is harmless because Successor() re-checks the block's own Start.
    private Block? _next0;
    private Block? _next1;
    private int _victim;

    /// <summary>The chained successor starting at <paramref name="rip"/>, if still valid.</summary>
    public Block? Successor(ulong rip)
    {
        Block? b = _next0;
        if (b != null && b.Start == rip && b._valid)
        {
            return b;
        }

        b = _next1;
        if (b != null && b.Start == rip && b._valid)
        {
            return b;
        }

        return null;
    }

    /// <summary>Remembers <paramref name="next"/> as a successor (replacing the older of two).</summary>
    public void Link(ulong rip, Block next)
    {
        _ = rip;
        if (_next0 == null || !_next0._valid)
        {
            _next0 = next;
        }
        else if (_next1 == null || !_next1._valid)
        {
            _next1 = next;
        }
        else if ((Interlocked.Increment(ref _victim) & 1) == 0)
        {
            _next0 = next;
        }
        else
        {
            _next1 = next;
        }
    }
}
