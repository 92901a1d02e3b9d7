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
    // ------------------------------------------------------------------ compile-time flag state

    private enum FKind : byte
    {
        /// <summary>The CPU's lazy-flag fields hold the flags.</summary>
        InCpu,

        /// <summary>Nothing reads the flags before they are overwritten; they were not computed.</summary>
        Dead,

        /// <summary>The interpreter's lazy form (<see cref="FlagOp"/> in <see cref="FState.Op"/>), operands in the flag locals.</summary>
        Lazy,

        /// <summary>A SHL/SHR/SAR (Op = shift number) or IMUL (Op = <see cref="DeferredImul"/>) whose flags are computed when needed.</summary>
        Deferred,

        /// <summary>
        /// At a block entry: the lazy form is in the flag locals with its kind in <see cref="_fkind"/>
        /// at run time (-1: the CPU's fields hold the flags). Edges between blocks set only that local.
        /// </summary>
        Locals,
    }

    private const int DeferredImul = 100;

    /// <summary>Deferred op bit: a shift by CL, whose run-time count may be zero (then the CPU keeps the flags before it).</summary>
    private const int DeferredByCl = 0x100;

    /// <summary>Backward edges between the checks for interrupts, shootdowns and invalidation by other threads.</summary>
    private const int BackEdgePeriod = 256;

    private static readonly System.Reflection.MethodInfo s_cond =
        typeof(Cpu).GetMethod(nameof(Cpu.Cond), new[] { typeof(int) }) ?? throw new MissingMethodException(nameof(Cpu), nameof(Cpu.Cond));

    private readonly record struct FState(FKind Kind, int Op, int SizeIndex)
    {
        public static readonly FState InCpu = new(FKind.InCpu, 0, 0);
        public static readonly FState Dead = new(FKind.Dead, 0, 0);
        public static readonly FState Locals = new(FKind.Locals, 0, 0);

        public int LazyKind => Op & ~3;
    }

    private FState _state;
    private readonly LocalBuilder _fd;
    private readonly LocalBuilder _fs;
    private readonly LocalBuilder _fr;
    private readonly LocalBuilder _fcf;
    private readonly LocalBuilder _fkind;
    private readonly LocalBuilder _budget;

    /// <summary>Writes <paramref name="s"/> into the CPU's lazy-flag fields (emits nothing when they already hold it).</summary>
    private void Materialize(FState s)
    {
        switch (s.Kind)
        {
            case FKind.Lazy:
                StoreCpuField(nameof(Cpu.FlagOpKind), () => _il.Emit(OpCodes.Ldc_I4, s.Op));
                if (s.LazyKind != FlagOp.Logic)
                {
                    StoreCpuField(nameof(Cpu.FlagDst), () => _il.Emit(OpCodes.Ldloc, _fd));
                    StoreCpuField(nameof(Cpu.FlagSrc), () => _il.Emit(OpCodes.Ldloc, _fs));
                }

                StoreCpuField(nameof(Cpu.FlagRes), () => _il.Emit(OpCodes.Ldloc, _fr));
                if (s.LazyKind is FlagOp.Inc or FlagOp.Dec)
                {
                    StoreCpuField(nameof(Cpu.FlagBits), () => _il.Emit(OpCodes.Ldloc, _fcf));
                }

                break;
            case FKind.Locals:
            {
                // Run-time kind: nothing to do when the CPU holds the flags already.
                Label skip = _il.DefineLabel();
                _il.Emit(OpCodes.Ldloc, _fkind);
                _il.Emit(OpCodes.Ldc_I4_0);
                _il.Emit(OpCodes.Blt, skip);
                StoreCpuField(nameof(Cpu.FlagOpKind), () => _il.Emit(OpCodes.Ldloc, _fkind));
                StoreCpuField(nameof(Cpu.FlagDst), () => _il.Emit(OpCodes.Ldloc, _fd));
                StoreCpuField(nameof(Cpu.FlagSrc), () => _il.Emit(OpCodes.Ldloc, _fs));
                StoreCpuField(nameof(Cpu.FlagRes), () => _il.Emit(OpCodes.Ldloc, _fr));
                StoreCpuField(nameof(Cpu.FlagBits), () => _il.Emit(OpCodes.Ldloc, _fcf)); // read only by INC/DEC kinds
                _il.MarkLabel(skip);
                break;
            }

            case FKind.Deferred:
                _il.Emit(OpCodes.Ldarg_1);
                if (s.Op == DeferredImul)
                {
                    _il.Emit(OpCodes.Ldc_I4, s.SizeIndex);
                    _il.Emit(OpCodes.Ldloc, _fd);
                    _il.Emit(OpCodes.Ldloc, _fs);
                    _il.Emit(OpCodes.Call, Method(typeof(JitRuntime), nameof(JitRuntime.ImulFlags)));
                }
                else if ((s.Op & DeferredByCl) != 0)
                {
                    // A shift by CL: a zero count left the flags before it, which are in the CPU already.
                    Label zero = _il.DefineLabel();
                    _il.Emit(OpCodes.Pop);
                    _il.Emit(OpCodes.Ldloc, _fs);
                    _il.Emit(OpCodes.Brfalse, zero);
                    _il.Emit(OpCodes.Ldarg_1);
                    _il.Emit(OpCodes.Ldc_I4, s.Op & ~DeferredByCl);
                    _il.Emit(OpCodes.Ldc_I4, s.SizeIndex);
                    _il.Emit(OpCodes.Ldloc, _fd);
                    _il.Emit(OpCodes.Ldloc, _fs);
                    _il.Emit(OpCodes.Conv_I4);
                    _il.Emit(OpCodes.Call, Method(typeof(JitRuntime), nameof(JitRuntime.ShiftFlags)));
                    _il.MarkLabel(zero);
                }
                else
                {
                    _il.Emit(OpCodes.Ldc_I4, s.Op);
                    _il.Emit(OpCodes.Ldc_I4, s.SizeIndex);
                    _il.Emit(OpCodes.Ldloc, _fd);
                    _il.Emit(OpCodes.Ldloc, _fs);
                    _il.Emit(OpCodes.Conv_I4);
                    _il.Emit(OpCodes.Call, Method(typeof(JitRuntime), nameof(JitRuntime.ShiftFlags)));
                }

                break;
        }
    }

    /// <summary>Materialises the current state in straight-line code; from here on the CPU fields hold it.</summary>
    private void MaterializeHere()
    {
        if (_state.Kind is FKind.Lazy or FKind.Deferred or FKind.Locals)
        {
            Materialize(_state);
            _state = FState.InCpu;
        }
    }

    /// <summary>Puts the current state in the form a block entry expects (<see cref="FKind.Locals"/>).</summary>
    private void ToLocals()
    {
        if (_state.Kind == FKind.Dead)
        {
            throw new InvalidOperationException("flags needed by a block but found dead");
        }

        StoreRunTimeKind();
        _state = FState.Locals;
    }

    /// <summary>
    /// Sets <see cref="_fkind"/> for the current state: its lazy kind (the operands are in the flag locals), or
    /// -1 when the CPU holds the flags (a deferred state is materialised first) or they are dead.
    /// </summary>
    private void StoreRunTimeKind()
    {
        switch (_state.Kind)
        {
            case FKind.Lazy:
                _il.Emit(OpCodes.Ldc_I4, _state.Op);
                _il.Emit(OpCodes.Stloc, _fkind);
                break;
            case FKind.Locals:
                break;
            case FKind.Deferred:
                Materialize(_state);
                _il.Emit(OpCodes.Ldc_I4_M1);
                _il.Emit(OpCodes.Stloc, _fkind);
                break;
            default:
                _il.Emit(OpCodes.Ldc_I4_M1);
                _il.Emit(OpCodes.Stloc, _fkind);
                break;
        }
    }

    private void StoreCpuField(string name, Action value)
    {
        _il.Emit(OpCodes.Ldarg_1);
        value();
        _il.Emit(OpCodes.Stfld, Field(typeof(Cpu), name));
    }

    private void LoadCpuField(string name)
    {
        _il.Emit(OpCodes.Ldarg_1);
        _il.Emit(OpCodes.Ldfld, Field(typeof(Cpu), name));
    }

    /// <summary>After an interpreter handler ran an instruction whose inline form leaves <paramref name="after"/>, reloads the flag locals from the CPU.</summary>
    private void ReloadFlagLocals(FState after)
    {
        if (after.Kind != FKind.Lazy)
        {
            return;
        }

        LoadCpuField(nameof(Cpu.FlagDst));
        _il.Emit(OpCodes.Stloc, _fd);
        LoadCpuField(nameof(Cpu.FlagSrc));
        _il.Emit(OpCodes.Stloc, _fs);
        LoadCpuField(nameof(Cpu.FlagRes));
        _il.Emit(OpCodes.Stloc, _fr);
        LoadCpuField(nameof(Cpu.FlagBits));
        _il.Emit(OpCodes.Stloc, _fcf);
    }

    /// <summary>Pushes the carry flag (0 or 1, as ulong) of the current state.</summary>
    private void PushCarry()
    {
        FState s = _state;
        if (s.Kind == FKind.Lazy && s.LazyKind == FlagOp.Sub)
        {
            _il.Emit(OpCodes.Ldloc, _fd);
            _il.Emit(OpCodes.Ldloc, _fs);
            _il.Emit(OpCodes.Clt_Un);
            _il.Emit(OpCodes.Conv_U8);
            return;
        }

        if (s.Kind == FKind.Lazy && s.LazyKind == FlagOp.Add)
        {
            _il.Emit(OpCodes.Ldloc, _fr);
            _il.Emit(OpCodes.Ldloc, _fd);
            _il.Emit(OpCodes.Clt_Un);
            _il.Emit(OpCodes.Conv_U8);
            return;
        }

        if (s.Kind == FKind.Lazy && s.LazyKind == FlagOp.Logic)
        {
            _il.Emit(OpCodes.Ldc_I8, 0L);
            return;
        }

        if (s.Kind == FKind.Lazy && s.LazyKind is FlagOp.Inc or FlagOp.Dec)
        {
            _il.Emit(OpCodes.Ldloc, _fcf);
            return;
        }

        if (s.Kind == FKind.Dead)
        {
            _il.Emit(OpCodes.Ldc_I8, 0L); // CF is dead here: any value will do
            return;
        }

        MaterializeHere();
        _il.Emit(OpCodes.Ldarg_1);
        _il.Emit(OpCodes.Call, typeof(Cpu).GetProperty(nameof(Cpu.Carry))!.GetGetMethod()!);
    }

    /// <summary>Pushes condition <paramref name="cc"/> (x86 encoding 0..15) of the current state as an int32 0/1.</summary>
    private void PushCond(int cc)
    {
        FState s = _state;
        if (s.Kind == FKind.Dead)
        {
            throw new InvalidOperationException($"condition {cc} read where the flags were found dead");
        }

        if (s.Kind == FKind.Lazy)
        {
            int bits = 8 << s.SizeIndex;
            if (s.LazyKind == FlagOp.Sub && TryCondSub(cc, bits))
            {
                return;
            }

            if (s.LazyKind == FlagOp.Logic && TryCondLogic(cc, bits))
            {
                return;
            }

            if (s.LazyKind is FlagOp.Add or FlagOp.Inc or FlagOp.Dec && TryCondResult(cc, bits))
            {
                return;
            }
        }

        MaterializeHere();
        _il.Emit(OpCodes.Ldarg_1);
        _il.Emit(OpCodes.Ldc_I4, cc);
        _il.Emit(OpCodes.Call, s_cond);
    }

    private bool TryCondSub(int cc, int bits)
    {
        switch (cc)
        {
            case 2: Cmp(_fd, _fs, OpCodes.Clt_Un, false, bits, false); return true;  // B
            case 3: Cmp(_fd, _fs, OpCodes.Clt_Un, false, bits, true); return true;   // AE
            case 4: Cmp(_fd, _fs, OpCodes.Ceq, false, bits, false); return true;     // E
            case 5: Cmp(_fd, _fs, OpCodes.Ceq, false, bits, true); return true;      // NE
            case 6: Cmp(_fd, _fs, OpCodes.Cgt_Un, false, bits, true); return true;   // BE
            case 7: Cmp(_fd, _fs, OpCodes.Cgt_Un, false, bits, false); return true;  // A
            case 8: SignOf(_fr, bits, false); return true;                            // S
            case 9: SignOf(_fr, bits, true); return true;                             // NS
            case 12: Cmp(_fd, _fs, OpCodes.Clt, true, bits, false); return true;     // L
            case 13: Cmp(_fd, _fs, OpCodes.Clt, true, bits, true); return true;      // GE
            case 14: Cmp(_fd, _fs, OpCodes.Cgt, true, bits, true); return true;      // LE
            case 15: Cmp(_fd, _fs, OpCodes.Cgt, true, bits, false); return true;     // G
            default: return false;
        }
    }

    private bool TryCondLogic(int cc, int bits)
    {
        switch (cc)
        {
            case 0: case 2: _il.Emit(OpCodes.Ldc_I4_0); return true;   // O, B
            case 1: case 3: _il.Emit(OpCodes.Ldc_I4_1); return true;   // NO, AE
            case 4: case 6: IsZero(_fr, false); return true;           // E, BE
            case 5: case 7: IsZero(_fr, true); return true;            // NE, A
            case 8: case 12: SignOf(_fr, bits, false); return true;    // S, L
            case 9: case 13: SignOf(_fr, bits, true); return true;     // NS, GE
            case 14: // LE: ZF or SF
                IsZero(_fr, false);
                SignOf(_fr, bits, false);
                _il.Emit(OpCodes.Or);
                return true;
            case 15: // G: !ZF and !SF
                IsZero(_fr, true);
                SignOf(_fr, bits, true);
                _il.Emit(OpCodes.And);
                return true;
            default: return false;
        }
    }

    private bool TryCondResult(int cc, int bits)
    {
        switch (cc)
        {
            case 4: IsZero(_fr, false); return true;
            case 5: IsZero(_fr, true); return true;
            case 8: SignOf(_fr, bits, false); return true;
            case 9: SignOf(_fr, bits, true); return true;
            default: return false;
        }
    }

    /// <summary>Pushes (a op b) as int32 0/1, optionally negated; signed compares sign-extend from <paramref name="bits"/>.</summary>
    private void Cmp(LocalBuilder a, LocalBuilder b, OpCode op, bool signed, int bits, bool negate)
    {
        _il.Emit(OpCodes.Ldloc, a);
        if (signed)
        {
            SignExtend(bits);
        }

        _il.Emit(OpCodes.Ldloc, b);
        if (signed)
        {
            SignExtend(bits);
        }

        _il.Emit(op);
        if (negate)
        {
            _il.Emit(OpCodes.Ldc_I4_0);
            _il.Emit(OpCodes.Ceq);
        }
    }

    private void IsZero(LocalBuilder v, bool negate)
    {
        _il.Emit(OpCodes.Ldloc, v);
        _il.Emit(OpCodes.Ldc_I8, 0L);
        _il.Emit(OpCodes.Ceq);
        if (negate)
        {
            _il.Emit(OpCodes.Ldc_I4_0);
            _il.Emit(OpCodes.Ceq);
        }
    }

    private void SignOf(LocalBuilder v, int bits, bool negate)
    {
        _il.Emit(OpCodes.Ldloc, v);
        _il.Emit(OpCodes.Ldc_I4, bits - 1);
        _il.Emit(OpCodes.Shr_Un);
        _il.Emit(OpCodes.Conv_I4);
        _il.Emit(OpCodes.Ldc_I4_1);
        _il.Emit(OpCodes.And);
        if (negate)
        {
            _il.Emit(OpCodes.Ldc_I4_1);
            _il.Emit(OpCodes.Xor);
        }
    }

    /// <summary>Sign-extends the int64 on the stack from its low <paramref name="bits"/>.</summary>
    private void SignExtend(int bits)
    {
        switch (bits)
        {
            case 8: _il.Emit(OpCodes.Conv_I1); _il.Emit(OpCodes.Conv_I8); break;
            case 16: _il.Emit(OpCodes.Conv_I2); _il.Emit(OpCodes.Conv_I8); break;
            case 32: _il.Emit(OpCodes.Conv_I4); _il.Emit(OpCodes.Conv_I8); break;
        }
    }

    /// <summary>Zero-extends the int64 on the stack from its low <paramref name="size"/> bytes.</summary>
    private void Truncate(int size)
    {
        switch (size)
        {
            case 1: _il.Emit(OpCodes.Conv_U1); _il.Emit(OpCodes.Conv_U8); break;
            case 2: _il.Emit(OpCodes.Conv_U2); _il.Emit(OpCodes.Conv_U8); break;
            case 4: _il.Emit(OpCodes.Conv_U4); _il.Emit(OpCodes.Conv_U8); break;
        }
    }

    private static ulong MaskOf(int size) => size == 8 ? ulong.MaxValue : (1UL << (size * 8)) - 1;

    private static int SizeIndexOf(int size) => size switch { 1 => 0, 2 => 1, 4 => 2, _ => 3 };
}
