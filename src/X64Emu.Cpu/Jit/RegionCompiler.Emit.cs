using System;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using Iced.Intel;
using Label = System.Reflection.Emit.Label;
using X64Emu.Cpu.Decode;
using X64Emu.Cpu.Flags;

namespace X64Emu.Cpu.Jit;

internal sealed unsafe partial class RegionCompiler
{
    // ------------------------------------------------------------------ registers

    /// <summary>Pushes a reference to the first GPR slot (computed where needed: no long-lived local).</summary>
    private void PushGprBase()
    {
        _il.Emit(OpCodes.Ldarg_1);
        _il.Emit(OpCodes.Ldflda, Field(typeof(Cpu), nameof(Cpu.R)));
        _il.Emit(OpCodes.Ldflda, Field(typeof(RegisterFile), nameof(RegisterFile.Gpr)));
        _il.Emit(OpCodes.Ldflda, Field(typeof(RegisterFile), nameof(RegisterFile.Gpr)).FieldType.GetField("FixedElementField")!);
    }

    private void LoadSlot(int slot, LocalBuilder local)
    {
        PushGprBase();
        _il.Emit(OpCodes.Ldc_I4, slot * 8);
        _il.Emit(OpCodes.Conv_I);
        _il.Emit(OpCodes.Add);
        _il.Emit(OpCodes.Ldind_I8);
        _il.Emit(OpCodes.Stloc, local);
    }

    private void StoreSlot(int slot, LocalBuilder local)
    {
        PushGprBase();
        _il.Emit(OpCodes.Ldc_I4, slot * 8);
        _il.Emit(OpCodes.Conv_I);
        _il.Emit(OpCodes.Add);
        _il.Emit(OpCodes.Ldloc, local);
        _il.Emit(OpCodes.Stind_I8);
    }

    private void LoadRegs(int mask)
    {
        for (int slot = 0; slot < 16; slot++)
        {
            if ((mask & (1 << slot)) != 0 && _reg[slot] != null)
            {
                LoadSlot(slot, _reg[slot]!);
            }
        }
    }

    private void StoreRegs(int mask)
    {
        for (int slot = 0; slot < 16; slot++)
        {
            if ((mask & (1 << slot)) != 0 && _reg[slot] != null)
            {
                StoreSlot(slot, _reg[slot]!);
            }
        }
    }

    private LocalBuilder RegLocal(Register r)
    {
        int slot = Slot(r);
        return (slot >= 0 ? _reg[slot] : null) ?? throw new InvalidOperationException($"{r} is not a register of the region");
    }

    private static bool IsHighByte(Register r) => r is Register.AH or Register.CH or Register.DH or Register.BH;

    /// <summary>Pushes a GPR operand zero-extended to 64 bits.</summary>
    private void PushReg(Register r)
    {
        _il.Emit(OpCodes.Ldloc, RegLocal(r));
        if (IsHighByte(r))
        {
            _il.Emit(OpCodes.Ldc_I4_8);
            _il.Emit(OpCodes.Shr_Un);
            Truncate(1);
            return;
        }

        Truncate(r.GetSize());
    }

    /// <summary>Pops a value into a GPR operand with x86's rules (32-bit writes zero the top, 8/16-bit writes merge).</summary>
    private void PopReg(Register r)
    {
        int slot = Slot(r);
        if ((_writtenRegs & (1 << slot)) == 0)
        {
            throw new InvalidOperationException($"{r} is written but was not found written by the analysis");
        }

        LocalBuilder l = RegLocal(r);
        int size = r.GetSize();
        if (size == 8)
        {
            _il.Emit(OpCodes.Stloc, l);
            return;
        }

        if (size == 4)
        {
            _il.Emit(OpCodes.Conv_U4);
            _il.Emit(OpCodes.Conv_U8);
            _il.Emit(OpCodes.Stloc, l);
            return;
        }

        ulong mask = size == 2 ? 0xFFFFUL : 0xFFUL;
        int shift = IsHighByte(r) ? 8 : 0;
        _il.Emit(OpCodes.Ldc_I8, (long)mask);
        _il.Emit(OpCodes.And);
        if (shift != 0)
        {
            _il.Emit(OpCodes.Ldc_I4_8);
            _il.Emit(OpCodes.Shl);
        }

        _il.Emit(OpCodes.Ldloc, l);
        _il.Emit(OpCodes.Ldc_I8, (long)~(mask << shift));
        _il.Emit(OpCodes.And);
        _il.Emit(OpCodes.Or);
        _il.Emit(OpCodes.Stloc, l);
    }

    // ------------------------------------------------------------------ memory

    /// <summary>Computes the memory operand's effective address into <see cref="_ea"/>.</summary>
    private void EmitEa(in Instruction ins, bool withSegment = true)
    {
        if (ins.IsIPRelativeMemoryOperand)
        {
            _il.Emit(OpCodes.Ldc_I8, (long)ins.IPRelativeMemoryAddress);
        }
        else
        {
            _il.Emit(OpCodes.Ldc_I8, (long)ins.MemoryDisplacement64);
            if (ins.MemoryBase != Register.None)
            {
                _il.Emit(OpCodes.Ldloc, RegLocal(ins.MemoryBase));
                _il.Emit(OpCodes.Add);
            }

            if (ins.MemoryIndex != Register.None)
            {
                _il.Emit(OpCodes.Ldloc, RegLocal(ins.MemoryIndex));
                int scale = ins.MemoryIndexScale;
                if (scale > 1)
                {
                    _il.Emit(OpCodes.Ldc_I4, scale switch { 2 => 1, 4 => 2, _ => 3 });
                    _il.Emit(OpCodes.Shl);
                }

                _il.Emit(OpCodes.Add);
            }
        }

        if (withSegment && ins.MemorySegment == Register.FS)
        {
            _il.Emit(OpCodes.Ldloc, _fsBase!);
            _il.Emit(OpCodes.Add);
        }
        else if (withSegment && ins.MemorySegment == Register.GS)
        {
            _il.Emit(OpCodes.Ldloc, _gsBase!);
            _il.Emit(OpCodes.Add);
        }

        _il.Emit(OpCodes.Stloc, _ea);
    }

    /// <summary>
    /// The TLB hit test for an access of <paramref name="size"/> bytes at <see cref="_ea"/>: branches to
    /// <paramref name="miss"/> unless the page is in the read (or write) TLB and the access stays in it;
    /// on a hit leaves the host address in <see cref="_host"/>.
    /// </summary>
    private void EmitTlb(int size, bool write, Label miss)
    {
        // The TLB base is loaded from the CPU at each access rather than kept in a local: one L1 load,
        // and one host register more for guest registers.
        _il.Emit(OpCodes.Ldarg_1);
        _il.Emit(OpCodes.Ldfld, Field(typeof(Cpu), write ? nameof(Cpu.WriteTlbBase) : nameof(Cpu.ReadTlbBase)));
        _il.Emit(OpCodes.Ldloc, _ea);
        if (size > 1)
        {
            _il.Emit(OpCodes.Ldc_I8, (long)(size - 1));
            _il.Emit(OpCodes.Add);
        }

        // Entry = base + ((va >> 12) & (Size - 1)) * 16 = base + ((va >> 8) & ((Size - 1) << 4)).
        _il.Emit(OpCodes.Ldc_I4_8);
        _il.Emit(OpCodes.Shr_Un);
        _il.Emit(OpCodes.Ldc_I8, (long)((X64Emu.Memory.Tlb.SoftTlb.Size - 1) << 4));
        _il.Emit(OpCodes.And);
        _il.Emit(OpCodes.Conv_I);
        _il.Emit(OpCodes.Add);
        _il.Emit(OpCodes.Stloc, _entry);
        _il.Emit(OpCodes.Ldloc, _entry);
        _il.Emit(OpCodes.Ldind_I8);
        _il.Emit(OpCodes.Ldloc, _ea);
        _il.Emit(OpCodes.Ldc_I8, ~(long)X64Emu.Memory.PageSizes.PageMask);
        _il.Emit(OpCodes.And);
        _il.Emit(OpCodes.Bne_Un, miss);
        _il.Emit(OpCodes.Ldloc, _entry);
        _il.Emit(OpCodes.Ldc_I4_8);
        _il.Emit(OpCodes.Conv_I);
        _il.Emit(OpCodes.Add);
        _il.Emit(OpCodes.Ldind_I8);
        _il.Emit(OpCodes.Ldloc, _ea);
        _il.Emit(OpCodes.Add);
        _il.Emit(OpCodes.Conv_I);
        _il.Emit(OpCodes.Stloc, _host);
    }

    /// <summary>Pushes the <paramref name="size"/>-byte value at <see cref="_host"/>, zero-extended.</summary>
    private void PushHost(int size)
    {
        _il.Emit(OpCodes.Ldloc, _host);
        _il.Emit(OpCodes.Unaligned, (byte)1);
        switch (size)
        {
            case 1: _il.Emit(OpCodes.Ldind_U1); _il.Emit(OpCodes.Conv_U8); break;
            case 2: _il.Emit(OpCodes.Ldind_U2); _il.Emit(OpCodes.Conv_U8); break;
            case 4: _il.Emit(OpCodes.Ldind_U4); _il.Emit(OpCodes.Conv_U8); break;
            default: _il.Emit(OpCodes.Ldind_I8); break;
        }
    }

    /// <summary>Stores local <paramref name="v"/> (low <paramref name="size"/> bytes) at <see cref="_host"/>.</summary>
    private void StoreHost(int size, LocalBuilder v)
    {
        _il.Emit(OpCodes.Ldloc, _host);
        _il.Emit(OpCodes.Ldloc, v);
        _il.Emit(OpCodes.Unaligned, (byte)1);
        switch (size)
        {
            case 1: _il.Emit(OpCodes.Stind_I1); break;
            case 2: _il.Emit(OpCodes.Stind_I2); break;
            case 4: _il.Emit(OpCodes.Stind_I4); break;
            default: _il.Emit(OpCodes.Stind_I8); break;
        }
    }

    /// <summary>
    /// Starts an instruction with a memory access: computes the address, tests the TLB, and arranges
    /// that a miss runs the instruction's interpreter handler (emitted out of line) and rejoins after
    /// the inline code. Call <see cref="EndMemory"/> after emitting the inline form.
    /// </summary>
    private MemSite BeginMemory(BlockInfo bi, int k, int size, bool write, bool computeEa = true)
    {
        if (computeEa)
        {
            EmitEa(bi.Ins[k]);
        }

        MemSite site = new(bi, k, _il.DefineLabel(), _il.DefineLabel(), _state);
        EmitTlb(size, write, site.Miss);
        return site;
    }

    private readonly record struct MemSite(BlockInfo Block, int K, Label Miss, Label Join, FState Before);

    private void EndMemory(MemSite site)
    {
        _il.MarkLabel(site.Join);
        FState after = _state;
        _cold.Add(() =>
        {
            _il.MarkLabel(site.Miss);
            FState saved = _state;
            _state = site.Before;
            CallHandler(site.Block, site.K);
            ReloadFlagLocals(after);
            _state = saved;
            _il.Emit(OpCodes.Br, site.Join);
        });
    }

    // ------------------------------------------------------------------ interpreter handlers

    /// <summary>
    /// Runs instruction <paramref name="k"/> through its interpreter handler in straight-line code (an
    /// instruction the compiler has no inline form for: this path is hot). The call is direct, from this
    /// site; registers are spilled only when an inline instruction changed one since the last handler.
    /// </summary>
    private void EmitFallback(BlockInfo bi, int k)
    {
        ref readonly Instruction ins = ref bi.Ins[k];
        int written = WrittenRegs(ins);
        if (_state.Kind is FKind.Lazy or FKind.Deferred or FKind.Locals)
        {
            Materialize(_state);
        }

        // Every register the region has written goes back (through the shared spill), so that when
        // the handler leaves compiled code (end of block, fault, syscall) the CPU holds the whole state.
        if (!_synced)
        {
            Label back = _il.DefineLabel();
            _il.Emit(OpCodes.Ldc_I4, _resumes.Count);
            _il.Emit(OpCodes.Stloc, _resume);
            _resumes.Add(back);
            _il.Emit(OpCodes.Br, _spill);
            _il.MarkLabel(back);
        }

        ref Insn insn = ref _region.Insns[bi.InsnBase + k];
        // A fused handler (CMP/TEST + Jcc) would run the next instruction too: call the plain one.
        delegate*<Cpu, ref Insn, int> fn = (insn.Flags & InsnFlags.Fused) != 0 ? insn.Plain : insn.Fn;
        _il.Emit(OpCodes.Ldarg_1);
        _il.Emit(OpCodes.Ldc_I8, (long)Unsafe.AsPointer(ref insn));
        _il.Emit(OpCodes.Conv_U);
        _il.Emit(OpCodes.Ldc_I8, (long)fn);
        _il.Emit(OpCodes.Conv_I);
        _il.EmitCalli(OpCodes.Calli, System.Reflection.CallingConventions.Standard, typeof(int),
            new[] { typeof(Cpu), typeof(Insn).MakeByRefType() }, null);
        ulong next = ins.NextIP;
        AfterHandler(() =>
        {
            _il.Emit(OpCodes.Ldarg_1);
            _il.Emit(OpCodes.Ldflda, Field(typeof(Cpu), nameof(Cpu.R)));
            _il.Emit(OpCodes.Ldc_I8, (long)next);
            _il.Emit(OpCodes.Stfld, Field(typeof(RegisterFile), nameof(RegisterFile.Rip)));
            _il.Emit(OpCodes.Ldc_I4, (int)ExitReason.BlockEnd);
        });
        LoadRegs(written);
        _state = FState.InCpu;
        _synced = true;
    }

    /// <summary>Pushes the instruction address of the shared call's site (<see cref="_resume"/>).</summary>
    private void PushSite()
    {
        _il.Emit(OpCodes.Ldarg_0);
        _il.Emit(OpCodes.Ldfld, Field(typeof(JitRegion), nameof(JitRegion.Sites)));
        _il.Emit(OpCodes.Ldloc, _resume);
        _il.Emit(OpCodes.Ldelem_I);
    }

    /// <summary>
    /// With a handler's result on the stack: returns it when it is not 0 (the block ended, a fault, a syscall),
    /// and leaves after the instruction when the handler invalidated the region (a store to a code page by
    /// self-modifying code): <paramref name="leave"/> pushes the exit reason, the CPU holds everything else.
    /// </summary>
    private void AfterHandler(Action leave)
    {
        _il.Emit(OpCodes.Stloc, _result);
        Label ok = _il.DefineLabel();
        _il.Emit(OpCodes.Ldloc, _result);
        _il.Emit(OpCodes.Brfalse, ok);
        _il.Emit(OpCodes.Ldloc, _result);
        _il.Emit(OpCodes.Ret);
        _il.MarkLabel(ok);
        Label valid = _il.DefineLabel();
        _il.Emit(OpCodes.Ldarg_0);
        _il.Emit(OpCodes.Volatile);
        _il.Emit(OpCodes.Ldfld, Field(typeof(JitRegion), nameof(JitRegion.Valid)));
        _il.Emit(OpCodes.Brtrue, valid);
        leave();
        _il.Emit(OpCodes.Ret);
        _il.MarkLabel(valid);
    }

    /// <summary>The region's register slots an instruction may write.</summary>
    private int WrittenRegs(in Instruction ins)
    {
        int written = 0;
        InstructionInfo info = _infos.GetInfo(ins);
        foreach (UsedRegister u in info.GetUsedRegisters())
        {
            int slot = Slot(u.Register);
            if (slot >= 0 && u.Access != OpAccess.Read && u.Access != OpAccess.CondRead && u.Access != OpAccess.NoMemAccess)
            {
                written |= 1 << slot;
            }
        }

        return written;
    }

    /// <summary>
    /// The slow path of an inline instruction (a TLB miss, a page-crossing access): runs instruction
    /// <paramref name="k"/>'s interpreter handler through the shared call path. The flags go to the CPU
    /// (a compile-time lazy kind through the flag locals), every register the region wrote is spilled,
    /// the handler runs, and compiled code continues after this site with the registers the instruction
    /// may write reloaded, or leaves when the handler ends the block, faults, or invalidated the region.
    /// Per site this is a few IL instructions; the call itself is emitted once per region (large regions
    /// stay within the .NET JIT's optimising limits).
    /// </summary>
    private void CallHandler(BlockInfo bi, int k)
    {
        int written = WrittenRegs(bi.Ins[k]);

        // The shared path materialises from the flag locals when the run-time kind is set (>= 0).
        StoreRunTimeKind();

        Label resume = _il.DefineLabel();
        _il.Emit(OpCodes.Ldc_I4, _callResumes.Count);
        _il.Emit(OpCodes.Stloc, _resume);
        _callResumes.Add(resume);
        _sites.Add((nint)Unsafe.AsPointer(ref _region.Insns[bi.InsnBase + k]));
        _il.Emit(OpCodes.Br, _callSpill);
        _il.MarkLabel(resume);
        LoadRegs(written);
    }

    /// <summary>
    /// The shared call path of <see cref="CallHandler"/>: flags and registers to the CPU, the handler of
    /// site <see cref="_resume"/>, then back to the site (or out of compiled code).
    /// </summary>
    private void EmitSharedCall()
    {
        _il.MarkLabel(_callSpill);
        Materialize(FState.Locals);
        StoreRegs(_writtenRegs);
        _il.Emit(OpCodes.Ldarg_1);
        PushSite();
        _il.Emit(OpCodes.Call, Method(typeof(JitRuntime), nameof(JitRuntime.RunHandler)));
        AfterHandler(() =>
        {
            _il.Emit(OpCodes.Ldarg_1);
            PushSite();
            _il.Emit(OpCodes.Call, Method(typeof(JitRuntime), nameof(JitRuntime.LeaveAfter)));
        });
        _il.Emit(OpCodes.Ldloc, _resume);
        _il.Emit(OpCodes.Switch, _callResumes.ToArray());
        _il.Emit(OpCodes.Ldc_I4, (int)ExitReason.InvalidOpcode); // unreachable: every index has a label
        _il.Emit(OpCodes.Ret);
    }

    // ------------------------------------------------------------------ edges and exits

    /// <summary>Leaves compiled code at a known guest address with the current flag state.</summary>
    private void ExitTo(ulong rip)
    {
        Materialize(_state);
        _il.Emit(OpCodes.Ldc_I8, (long)rip);
        _il.Emit(OpCodes.Stloc, _exitRip);
        _il.Emit(OpCodes.Br, _commonExit);
    }

    /// <summary>Leaves compiled code at the address on the stack.</summary>
    private void ExitToStack()
    {
        _il.Emit(OpCodes.Stloc, _exitRip);
        Materialize(_state);
        _il.Emit(OpCodes.Br, _commonExit);
    }

    /// <summary>Continues at <paramref name="target"/>: a branch inside the region, or an exit.</summary>
    private void Edge(int from, ulong target)
    {
        if (!_index.TryGetValue(target, out int to))
        {
            ExitTo(target);
            return;
        }

        BlockInfo t = _blocks[to];
        if (t.LiveIn != 0)
        {
            ToLocals();
        }

        // A forward edge is a plain branch. A backward edge leaves when something waits for this CPU
        // or when another thread invalidated the region (this CPU's own stores to code pages always
        // go through a handler, which checks right after it runs).
        if (to > from)
        {
            _il.Emit(OpCodes.Br, t.Label);
            return;
        }

        // The checks run every BackEdgePeriod-th backward edge (a countdown in a local): a tight guest loop
        // pays a decrement and a branch per iteration, and a request waits at most a few microseconds.
        FState atEdge = _state;
        Label leave = _il.DefineLabel();
        Label check = _il.DefineLabel();
        _il.Emit(OpCodes.Ldloc, _budget);
        _il.Emit(OpCodes.Ldc_I4_1);
        _il.Emit(OpCodes.Sub);
        _il.Emit(OpCodes.Dup);
        _il.Emit(OpCodes.Stloc, _budget);
        _il.Emit(OpCodes.Brfalse, check);
        _il.Emit(OpCodes.Br, t.Label);

        _cold.Add(() =>
        {
            _il.MarkLabel(check);
            _il.Emit(OpCodes.Ldc_I4, BackEdgePeriod);
            _il.Emit(OpCodes.Stloc, _budget);
            _il.Emit(OpCodes.Ldarg_1);
            _il.Emit(OpCodes.Dup);
            _il.Emit(OpCodes.Ldfld, Field(typeof(Cpu), nameof(Cpu.BlocksExecuted)));
            _il.Emit(OpCodes.Ldc_I8, (long)BackEdgePeriod);
            _il.Emit(OpCodes.Add);
            _il.Emit(OpCodes.Stfld, Field(typeof(Cpu), nameof(Cpu.BlocksExecuted)));
            _il.Emit(OpCodes.Ldarg_0);
            _il.Emit(OpCodes.Volatile);
            _il.Emit(OpCodes.Ldfld, Field(typeof(JitRegion), nameof(JitRegion.Valid)));
            _il.Emit(OpCodes.Brfalse, leave);

            // Cpu.MustLeave, inline: an interrupt request, or a shootdown not yet acknowledged.
            _il.Emit(OpCodes.Ldarg_1);
            _il.Emit(OpCodes.Volatile);
            _il.Emit(OpCodes.Ldfld, Field(typeof(Cpu), "_interrupt"));
            _il.Emit(OpCodes.Brtrue, leave);
            _il.Emit(OpCodes.Ldarg_1);
            _il.Emit(OpCodes.Ldfld, Field(typeof(Cpu), "_mmu"));
            _il.Emit(OpCodes.Volatile);
            _il.Emit(OpCodes.Ldfld, Field(typeof(X64Emu.Memory.Mmu), "_flushRequest"));
            _il.Emit(OpCodes.Ldarg_1);
            _il.Emit(OpCodes.Ldfld, Field(typeof(Cpu), "_mmu"));
            _il.Emit(OpCodes.Ldfld, Field(typeof(X64Emu.Memory.Mmu), "_flushAck"));
            _il.Emit(OpCodes.Bne_Un, leave);
            _il.Emit(OpCodes.Br, t.Label);
        });

        _cold.Add(() =>
        {
            _il.MarkLabel(leave);
            FState saved = _state;
            _state = atEdge;
            ExitTo(target);
            _state = saved;
        });
    }
}
