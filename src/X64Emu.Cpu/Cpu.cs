using System;
using System.Runtime.CompilerServices;
using System.Threading;
using X64Emu.Cpu.Decode;
using X64Emu.Cpu.Jit;
using X64Emu.Memory;

namespace X64Emu.Cpu;

/// <summary>
/// One guest CPU (a guest thread): registers, lazy flags, the MMU view, and the block-dispatch loop.
/// </summary>
/// <remarks>
/// Owned by one host thread. Other threads talk to it only through <see cref="RequestInterrupt"/>
/// and the MMU's shootdown handshake, both checked at block boundaries.
/// </remarks>
[SkipLocalsInit]
public sealed unsafe partial class Cpu
{
    /// <summary>Registers, inline so that a handler reaches them with one load from the CPU object.</summary>
    public RegisterFile R;

    private int _interrupt;

    public Cpu(Mmu mmu, BlockCache blocks)
    {
        _mmu = mmu;
        Blocks = blocks;
        SetTlbBases();
        R.Mxcsr = 0x1F80;
        InitFpu();
    }

    private Mmu _mmu;

    public Mmu Mmu => _mmu;

    /// <summary>The MMU's read and write TLB arrays, for compiled code (which loads them with no call).</summary>
    internal nint ReadTlbBase;

    internal nint WriteTlbBase;

    private void SetTlbBases()
    {
        ReadTlbBase = (nint)_mmu.Tlb.Read;
        WriteTlbBase = (nint)_mmu.Tlb.Write;
    }

    public BlockCache Blocks { get; private set; }

    /// <summary>Instructions retired (approximate: counted per block) for --stats.</summary>
    public ulong BlocksExecuted;

    /// <summary>Which address space's code this CPU runs (execve replaces both).</summary>
    public void SwitchTo(Mmu mmu, BlockCache blocks)
    {
        _mmu = mmu;
        Blocks = blocks;
        SetTlbBases();
        Array.Clear(_jumpCache);
    }

    /// <summary>Byte-addressed view of the GPR file (operands are byte offsets).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref byte RegByte(int off) => ref Unsafe.AddByteOffset(ref Unsafe.As<ulong, byte>(ref R.Gpr[0]), (nint)off);

    /// <summary>A 64-bit GPR by slot number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref ulong Gpr(int slot) => ref Unsafe.Add(ref R.Gpr[0], slot);

    /// <summary>A 64-bit GPR by byte offset.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref ulong GprAt(int off) => ref Unsafe.As<byte, ulong>(ref RegByte(off));

    /// <summary>The effective address of the instruction's memory operand.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Ea(ref Insn i)
    {
        ulong ea = GprAt(i.Base) + (GprAt(i.Index) << i.Scale) + i.Disp + GprAt(i.Seg);
        return (i.Flags & InsnFlags.Addr32) == 0 ? ea : (uint)(ea - GprAt(i.Seg)) + GprAt(i.Seg);
    }

    /// <summary>Reports a fault at the instruction: RIP points at it, the MMU holds the details.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public int Fault(ref Insn i)
    {
        R.Rip = i.Rip;
        return (int)ExitReason.PageFault;
    }

    /// <summary>Ends the block at the instruction with the given reason, RIP pointing at it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public int Raise(ref Insn i, ExitReason reason)
    {
        R.Rip = i.Rip;
        return (int)reason;
    }

    /// <summary>Asks the CPU (from any thread) to return <see cref="ExitReason.Interrupted"/> at the next block boundary.</summary>
    public void RequestInterrupt() => Volatile.Write(ref _interrupt, 1);

    /// <summary>
    /// Runs guest code from RIP until something needs the kernel: a syscall, a fault, an interrupt.
    /// </summary>
    /// <remarks>
    /// Optimised at once: a guest that runs in one long call would otherwise stay in the ReadyToRun
    /// form of this loop, which is never re-jitted.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ExitReason Run()
    {
        Mmu mmu = Mmu;
        LoadHostMxcsr();
        mmu.EnterGuest();
        try
        {
            Block? prev = null;
            while (true)
            {
                if (Volatile.Read(ref _interrupt) != 0)
                {
                    Volatile.Write(ref _interrupt, 0);
                    return ExitReason.Interrupted;
                }

                if (mmu.FlushPending)
                {
                    mmu.ServiceFlush();
                }

                ulong rip = R.Rip;
                Block? b = prev != null ? prev.Successor(rip) : null;
                if (b == null)
                {
                    b = Lookup(rip);
                    if (b == null)
                    {
                        // Fetch fault or undecodable first instruction: the reason is in _decodeExit.
                        return _decodeExit;
                    }

                    prev?.Link(rip, b);
                }

                BlocksExecuted++;
                int r;
                JitEntry? compiled = b.Compiled;
                if (compiled != null && compiled.Region.Valid)
                {
                    r = compiled.Region.Code!(this, compiled.Index);
                }
                else
                {
                    JitEngine? jit = Blocks.Jit;
                    if (jit != null && b.Executions++ >= jit.Threshold && b.JitState == Block.JitNone)
                    {
                        // In eager mode the region compiles here, on this thread, with floating point of its own.
                        SaveHostMxcsrFlags();
                        jit.Request(b);
                        LoadHostMxcsr();
                        compiled = b.Compiled;
                        if (compiled != null && compiled.Region.Valid)
                        {
                            r = compiled.Region.Code!(this, compiled.Index);
                            goto Ran;
                        }
                    }

                    ref Insn p = ref b.Insns[0];
                    while ((r = p.Fn(this, ref p)) == 0)
                    {
                        p = ref Unsafe.Add(ref p, 1);
                    }
                }

            Ran:

                if (r != (int)ExitReason.BlockEnd)
                {
                    return (ExitReason)r;
                }

                prev = b;
            }
        }
        finally
        {
            SaveHostMxcsrFlags();
            _hostMxcsrThread = -1;
            mmu.LeaveGuest();
        }
    }

    private readonly Block?[] _jumpCache = new Block?[JumpCacheSize];
    private const int JumpCacheSize = 4096;
    private ExitReason _decodeExit;

    private Block? Lookup(ulong rip)
    {
        int slot = (int)((rip ^ (rip >> 12)) & (JumpCacheSize - 1));
        Block? b = _jumpCache[slot];
        if (b != null && b.Start == rip && b.Valid)
        {
            return b;
        }

        b = Blocks.GetOrDecode(this, rip, out _decodeExit);
        if (b != null)
        {
            _jumpCache[slot] = b;
        }

        return b;
    }
}
