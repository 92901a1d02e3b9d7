using System;
using System.Collections.Generic;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using Iced.Intel;
using Label = System.Reflection.Emit.Label;
using X64Emu.Cpu.Decode;
using X64Emu.Cpu.Interp;

namespace X64Emu.Cpu.Jit;

/// <summary>
/// Compiles a region (a hot block and the decoded blocks it reaches by direct jumps) to one
/// <see cref="DynamicMethod"/> that the .NET JIT turns into host code.
/// </summary>
/// <remarks>
/// <para>Guest registers live in IL locals: loaded at entry, stored back at every exit. Arithmetic
/// flags are kept as compile-time knowledge of which instruction set them plus its operands in
/// locals, written to the CPU's lazy-flag fields only where something outside the compiled code can
/// see them (an exit, a fault, an interpreter handler), and not computed at all where a backward
/// liveness pass shows that a later instruction overwrites them first.</para>
/// <para>Every memory access is the TLB hit path inline; a miss, a page-crossing access or a fault
/// runs the instruction's interpreter handler instead (the slow path), so faults, code-page writes
/// and split accesses behave exactly as interpreted. Instructions not compiled inline always call
/// their interpreter handler. Each edge between blocks checks that the region is still valid, and
/// each backward edge also leaves for pending interrupts and TLB shootdowns.</para>
/// </remarks>
internal sealed unsafe partial class RegionCompiler
{
    /// <summary>Most blocks and guest instructions in one region (keeps methods within the .NET JIT's optimising limits).</summary>
    private const int MaxBlocks = 96;
    private const int MaxInsns = 400;

    /// <summary>The six arithmetic flags as Iced's <see cref="RflagsBits"/>.</summary>
    private const int AllFlags = (int)(RflagsBits.OF | RflagsBits.SF | RflagsBits.ZF | RflagsBits.AF | RflagsBits.CF | RflagsBits.PF);

    private readonly JitRegion _region;
    private readonly BlockInfo[] _blocks;
    private readonly Dictionary<ulong, int> _index = new();
    private readonly ILGenerator _il;
    private readonly DynamicMethod _method;
    private readonly InstructionInfoFactory _infos = new();
    private readonly List<Action> _cold = new();

    // Register state: which of RAX..R15 the region uses and writes (slots 16+ are helper slots).
    private readonly LocalBuilder?[] _reg = new LocalBuilder?[16];
    private int _usedRegs;
    private int _writtenRegs;
    private LocalBuilder? _fsBase;
    private LocalBuilder? _gsBase;

    // Locals.
    private readonly LocalBuilder _ea;
    private readonly LocalBuilder _entry;
    private readonly LocalBuilder _host;
    private readonly LocalBuilder _t0;
    private readonly LocalBuilder _t1;
    private readonly LocalBuilder _t2;
    private readonly LocalBuilder _result;
    private readonly LocalBuilder _cin;
    private readonly LocalBuilder _exitRip;
    private readonly Label _commonExit;
    private readonly Label _spill;
    private readonly LocalBuilder _resume;
    private readonly List<Label> _resumes = new();
    private readonly List<nint> _sites = new();
    private readonly Label _callSpill;
    private readonly List<Label> _callResumes = new();

    /// <summary>True while the CPU holds every register local (after a handler, until an inline instruction writes one).</summary>
    private bool _synced;

    private RegionCompiler(JitRegion region, BlockInfo[] blocks)
    {
        _region = region;
        _blocks = blocks;
        for (int i = 0; i < blocks.Length; i++)
        {
            _index[blocks[i].Block.Start] = i;
        }

        _method = new DynamicMethod($"x64emu_0x{region.Entry.Start:x}", typeof(int), new[] { typeof(JitRegion), typeof(Cpu), typeof(int) },
            typeof(RegionCompiler).Module, skipVisibility: true);
        _il = _method.GetILGenerator(4096);
        _ea = _il.DeclareLocal(typeof(ulong));
        _entry = _il.DeclareLocal(typeof(nint));
        _host = _il.DeclareLocal(typeof(nint));
        _t0 = _il.DeclareLocal(typeof(ulong));
        _t1 = _il.DeclareLocal(typeof(ulong));
        _t2 = _il.DeclareLocal(typeof(ulong));
        _result = _il.DeclareLocal(typeof(int));
        _exitRip = _il.DeclareLocal(typeof(ulong));
        _fd = _il.DeclareLocal(typeof(ulong));
        _fs = _il.DeclareLocal(typeof(ulong));
        _fr = _il.DeclareLocal(typeof(ulong));
        _fcf = _il.DeclareLocal(typeof(ulong));
        _cin = _il.DeclareLocal(typeof(ulong));
        _fkind = _il.DeclareLocal(typeof(int));
        _budget = _il.DeclareLocal(typeof(int));
        _commonExit = _il.DefineLabel();
        _spill = _il.DefineLabel();
        _callSpill = _il.DefineLabel();
        _resume = _il.DeclareLocal(typeof(int));
    }

    /// <summary>A member block, its instructions re-decoded from the block's bytes, and analysis results.</summary>
    private sealed class BlockInfo
    {
        public required Block Block;
        public required Instruction[] Ins;

        /// <summary>Index of the block's first instruction in the region's pinned <see cref="Insn"/> copy.</summary>
        public int InsnBase;

        public Label Label;

        /// <summary>Flags live after each instruction, and at block entry.</summary>
        public int[] LiveAfter = Array.Empty<int>();
        public int LiveIn;

        /// <summary>True when the last instruction is not a branch (length limit): the block falls through to End.</summary>
        public bool FallsThrough;
    }

    public static JitRegion? Compile(JitEngine engine, Block entry)
    {
        // A method past the .NET JIT's size limits is compiled without optimisation (MinOpts: every local
        // on the stack), several times slower than a smaller region: shrink the region until it fits.
        int maxInsns = MaxInsns;
        while (true)
        {
            JitRegion? region = Compile(engine, entry, maxInsns, out int ilSize, out int insns);
            if (region == null || ilSize <= MaxIlSize || insns <= 8)
            {
                return region;
            }

            maxInsns = insns * MaxIlSize / ilSize * 9 / 10;
        }
    }

    /// <summary>IL bytes a region method may have (the .NET JIT keeps optimising well below its MinOpts limits).</summary>
    private const int MaxIlSize = 36000;

    private static JitRegion? Compile(JitEngine engine, Block entry, int maxInsns, out int ilSize, out int insns)
    {
        ilSize = 0;
        insns = 0;
        List<BlockInfo> infos = Collect(engine.Blocks, entry, maxInsns);
        if (infos.Count == 0)
        {
            return null;
        }

        foreach (BlockInfo bi in infos)
        {
            insns += bi.Ins.Length;
        }

        int total = 0;
        foreach (BlockInfo bi in infos)
        {
            bi.InsnBase = total;
            total += bi.Block.Count;
        }

        Insn[] pinned = GC.AllocateArray<Insn>(total, pinned: true);
        Block[] members = new Block[infos.Count];
        for (int i = 0; i < infos.Count; i++)
        {
            members[i] = infos[i].Block;
            Array.Copy(infos[i].Block.Insns, 0, pinned, infos[i].InsnBase, infos[i].Block.Count);
        }

        JitRegion region = new(entry, members, pinned);
        if (JitEngine.Log)
        {
            region.FallbackLog = new List<string>();
        }

        RegionCompiler c = new(region, infos.ToArray());
        c.Analyze();
        c.Emit();
        ilSize = c._il.ILOffset;
        region.IlSize = ilSize;
        if (ilSize > MaxIlSize && insns > 8)
        {
            return region; // not compiled: the caller retries with a smaller region
        }

        region.Sites = c._sites.ToArray();
        region.Code = (JitCode)c._method.CreateDelegate(typeof(JitCode), region);
        region.Code(null!, 0); // compile to host code now, on this thread, not at the first guest entry
        return region;
    }

    // ------------------------------------------------------------------ analysis

    /// <summary>Register use, and flag liveness by a backward pass over the region to a fixed point.</summary>
    private void Analyze()
    {
        foreach (BlockInfo bi in _blocks)
        {
            bi.LiveAfter = new int[bi.Ins.Length];
            bi.LiveIn = AllFlags;
            foreach (Instruction ins in bi.Ins)
            {
                InstructionInfo info = _infos.GetInfo(ins);
                foreach (UsedRegister u in info.GetUsedRegisters())
                {
                    int slot = Slot(u.Register);
                    if (slot < 0)
                    {
                        continue;
                    }

                    _usedRegs |= 1 << slot;
                    if (u.Access != OpAccess.Read && u.Access != OpAccess.CondRead && u.Access != OpAccess.NoMemAccess)
                    {
                        _writtenRegs |= 1 << slot;
                    }
                }

                if (ins.MemorySegment == Register.FS && HasMemory(ins))
                {
                    _fsBase ??= _il.DeclareLocal(typeof(ulong));
                }
                else if (ins.MemorySegment == Register.GS && HasMemory(ins))
                {
                    _gsBase ??= _il.DeclareLocal(typeof(ulong));
                }
            }
        }

        for (int slot = 0; slot < 16; slot++)
        {
            if ((_usedRegs & (1 << slot)) != 0)
            {
                _reg[slot] = _il.DeclareLocal(typeof(ulong));
            }
        }

        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (BlockInfo bi in _blocks)
            {
                int live = LiveAtEnd(bi);
                for (int k = bi.Ins.Length - 1; k >= 0; k--)
                {
                    ref readonly Instruction ins = ref bi.Ins[k];
                    bi.LiveAfter[k] = live;
                    if (k == bi.Ins.Length - 1 && !bi.FallsThrough)
                    {
                        // The terminator: an inline Jcc reads its condition; anything else leaves the region.
                        live = IsInlineJcc(ins) ? live | ((int)ins.RflagsRead & AllFlags)
                            : IsDirectJmp(ins) ? live
                            : IsDirectCall(ins) ? AllFlags // its push may fault
                            : AllFlags;
                        continue;
                    }

                    live = MayLeave(bi, k) ? AllFlags : (live & ~FlagsWritten(ins)) | ((int)ins.RflagsRead & AllFlags);
                }

                if (live != bi.LiveIn)
                {
                    bi.LiveIn = live;
                    changed = true;
                }
            }
        }
    }

    /// <summary>Flags live at the end of a block: those its in-region successors read, all of them for an exit.</summary>
    private int LiveAtEnd(BlockInfo bi)
    {
        Instruction last = bi.Ins[^1];
        if (bi.FallsThrough)
        {
            return LiveInOf(bi.Block.End);
        }

        if (IsInlineJcc(last))
        {
            return LiveInOf(last.NearBranchTarget) | LiveInOf(last.NextIP);
        }

        return IsDirectJmp(last) || IsDirectCall(last) ? LiveInOf(last.NearBranchTarget) : AllFlags;
    }

    private int LiveInOf(ulong rip) => _index.TryGetValue(rip, out int i) ? _blocks[i].LiveIn : AllFlags;

    /// <summary>
    /// True when the instruction may leave compiled code (it touches memory, so its slow path runs the
    /// interpreter; or it always runs its handler): everything the CPU state holds is visible there.
    /// </summary>
    /// <remarks>
    /// An SSE mnemonic counts as leaving unless it is a register form that compiles inline with no slow
    /// path (<see cref="SseStaysInline"/>): the emitters decline some forms that share the mnemonic (the
    /// string MOVSD, MMX registers, GPR forms of MOVQ), whose handler may fault on operands that are not
    /// <see cref="OpKind.Memory"/>, and a floating-point operation runs its handler while the guest has an
    /// MXCSR exception unmasked.
    /// </remarks>
    private bool MayLeave(BlockInfo bi, int k)
    {
        ref readonly Instruction ins = ref bi.Ins[k];
        return HasMemory(ins) || !IsInlineCandidate(bi, k)
            || ((IsSseCandidate(ins.Mnemonic) || VectorMoves.Contains(ins.Mnemonic)) && !SseStaysInline(bi, k));
    }

    private static bool HasMemory(in Instruction ins)
    {
        for (int n = 0; n < ins.OpCount; n++)
        {
            if (ins.GetOpKind(n) == OpKind.Memory)
            {
                return ins.Mnemonic != Mnemonic.Lea && ins.Mnemonic != Mnemonic.Nop;
            }
        }

        // Implicit stack accesses.
        return ins.Mnemonic is Mnemonic.Push or Mnemonic.Pop or Mnemonic.Call or Mnemonic.Ret or Mnemonic.Leave;
    }

    /// <summary>GPR slot 0..15 of a general-purpose register of any width, or -1.</summary>
    private static int Slot(Register r)
    {
        if (r == Register.None || !r.IsGPR())
        {
            return -1;
        }

        Register full = r.GetFullRegister();
        return full >= Register.RAX && full <= Register.R15 ? full - Register.RAX : -1;
    }

    // ------------------------------------------------------------------ emission driver

    private void Emit()
    {
        foreach (BlockInfo bi in _blocks)
        {
            bi.Label = _il.DefineLabel();
        }

        // A call without a CPU only makes the .NET JIT compile the method (on the compiling thread).
        Label start = _il.DefineLabel();
        _il.Emit(OpCodes.Ldarg_1);
        _il.Emit(OpCodes.Brtrue, start);
        _il.Emit(OpCodes.Ldc_I4_0);
        _il.Emit(OpCodes.Ret);
        _il.MarkLabel(start);

        // Prologue: registers into locals.
        LoadRegs(_usedRegs);
        _il.Emit(OpCodes.Ldc_I4_M1);
        _il.Emit(OpCodes.Stloc, _fkind); // on entry the CPU holds the flags
        _il.Emit(OpCodes.Ldc_I4, BackEdgePeriod);
        _il.Emit(OpCodes.Stloc, _budget);
        if (_fsBase != null)
        {
            LoadSlot(Reg.FsBase, _fsBase);
        }

        if (_gsBase != null)
        {
            LoadSlot(Reg.GsBase, _gsBase);
        }

        // Enter at the member block the dispatcher found (index 0, the entry, falls through).
        Label[] entries = new Label[_blocks.Length];
        for (int i = 0; i < _blocks.Length; i++)
        {
            entries[i] = _blocks[i].Label;
        }

        if (_blocks.Length > 1)
        {
            _il.Emit(OpCodes.Ldarg_2);
            _il.Emit(OpCodes.Switch, entries);
        }

        for (int i = 0; i < _blocks.Length; i++)
        {
            EmitBlock(i);
        }

        foreach (Action cold in _cold)
        {
            cold();
        }

        // Shared spill for handler calls: every register the region writes goes back to the CPU, then
        // the caller continues where its index says (one copy of the stores instead of one per call site).
        if (_resumes.Count > 0)
        {
            _il.MarkLabel(_spill);
            StoreRegs(_writtenRegs);
            _il.Emit(OpCodes.Ldloc, _resume);
            _il.Emit(OpCodes.Switch, _resumes.ToArray());
            _il.Emit(OpCodes.Ldc_I4, (int)ExitReason.InvalidOpcode); // unreachable: every index has a label
            _il.Emit(OpCodes.Ret);
        }

        if (_callResumes.Count > 0)
        {
            EmitSharedCall();
        }

        // Common exit: registers back, RIP, BlockEnd.
        _il.MarkLabel(_commonExit);
        StoreRegs(_writtenRegs);
        _il.Emit(OpCodes.Ldarg_1);
        _il.Emit(OpCodes.Ldflda, Field(typeof(Cpu), nameof(Cpu.R)));
        _il.Emit(OpCodes.Ldloc, _exitRip);
        _il.Emit(OpCodes.Stfld, Field(typeof(RegisterFile), nameof(RegisterFile.Rip)));
        _il.Emit(OpCodes.Ldc_I4, (int)ExitReason.BlockEnd);
        _il.Emit(OpCodes.Ret);
    }

    private void EmitBlock(int index)
    {
        BlockInfo bi = _blocks[index];
        _il.MarkLabel(bi.Label);
        _state = bi.LiveIn != 0 ? FState.Locals : FState.Dead;
        _synced = false; // a join: some predecessor may have changed a register since its last handler
        int last = bi.Ins.Length - 1;
        for (int k = 0; k <= last; k++)
        {
            if (k == last && !bi.FallsThrough)
            {
                EmitTerminator(index, bi, k);
                return;
            }

            EmitInstruction(bi, k);
        }

        Edge(index, bi.Block.End);
    }

    private void EmitInstruction(BlockInfo bi, int k)
    {
        if (IsInlineCandidate(bi, k) && TryEmitInline(bi, k))
        {
            _region.InlineInsns++;
            if (_synced && WrittenRegs(bi.Ins[k]) != 0)
            {
                _synced = false;
            }

            return;
        }

        _region.FallbackInsns++;
        _region.FallbackLog?.Add(bi.Ins[k].ToString());
        EmitFallback(bi, k);
    }

    /// <summary>
    /// An instruction the compiler can do inline in some form (the emitter may still decline it, e.g.
    /// when its flags are needed and it has no cheap way to keep them).
    /// </summary>
    private bool IsInlineCandidate(BlockInfo bi, int k)
    {
        ref readonly Instruction ins = ref bi.Ins[k];
        if ((bi.Block.Insns[k].Flags & InsnFlags.Untranslated) != 0 || ins.HasLockPrefix || ins.HasRepPrefix || ins.HasRepnePrefix)
        {
            return false;
        }

        if (HasMemory(ins) && ins.Mnemonic != Mnemonic.Push && ins.Mnemonic != Mnemonic.Pop
            && ins.Mnemonic != Mnemonic.Call && ins.Mnemonic != Mnemonic.Ret && !SimpleMemory(ins))
        {
            return false;
        }

        return Inline.Contains(ins.Mnemonic) || IsSseCandidate(ins.Mnemonic);
    }

    /// <summary>A memory operand the compiler addresses: 64-bit base/index (or RIP-relative), default segment or FS/GS.</summary>
    private static bool SimpleMemory(in Instruction ins, bool accessed = true)
    {
        if (ins.IsIPRelativeMemoryOperand)
        {
            return ins.MemoryBase == Register.RIP;
        }

        if (ins.MemoryBase != Register.None && (!ins.MemoryBase.IsGPR64()))
        {
            return false;
        }

        if (ins.MemoryIndex != Register.None && !ins.MemoryIndex.IsGPR64())
        {
            return false;
        }

        // 16 bytes: the SSE moves (the only inline mnemonics with such an operand).
        int size = ins.MemorySize.GetSize();
        return !accessed || size is 1 or 2 or 4 or 8 or 16;
    }

    // ------------------------------------------------------------------ reflection helpers

    private static MethodInfo Method(Type t, string name) =>
        t.GetMethod(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance)
        ?? throw new MissingMethodException(t.Name, name);

    private static FieldInfo Field(Type t, string name) =>
        t.GetField(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)
        ?? throw new MissingFieldException(t.Name, name);
}
