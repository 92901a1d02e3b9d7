using System;
using System.Buffers.Binary;
using X64Emu.Cpu.Decode;
using X64Emu.Cpu.X87;

namespace X64Emu.Cpu.Interp;

public static unsafe partial class Interpreter
{
    /// <summary>
    /// x87 control: Aux 0 FLDCW, 1 FNSTCW, 2 FNSTSW m16, 3 FNSTSW AX, 4 FNCLEX, 5 FNINIT, 6 FNSTENV,
    /// 7 FLDENV, 8 FNSAVE, 9 FRSTOR, 10 FXSAVE, 11 FXRSTOR, 12 FWAIT.
    /// </summary>
    public static int X87Control(Cpu c, ref Insn i)
    {
        ulong ea = (i.Flags & InsnFlags.Mem) != 0 ? c.Ea(ref i) : 0;
        switch (i.Aux)
        {
            case 0:
            {
                if (!c.Mmu.TryRead16(ea, out ushort cw))
                {
                    return c.Fault(ref i);
                }

                c.FpuControl = (ushort)((cw & 0x1F3F) | 0x40);

                // Unmasking an exception whose flag is set makes it pending.
                if ((c.FpuStatus & ~c.FpuControl & 0x3F) != 0)
                {
                    c.FpuStatus |= Cpu.FswEs | Cpu.FswB;
                }
                else
                {
                    c.FpuStatus &= unchecked((ushort)~(Cpu.FswEs | Cpu.FswB));
                }

                return 0;
            }

            case 1:
                return c.Mmu.TryWrite16(ea, c.FpuControl) ? 0 : c.Fault(ref i);
            case 2:
                return c.Mmu.TryWrite16(ea, c.FpuStatus) ? 0 : c.Fault(ref i);
            case 3:
                Unsafe16(c) = c.FpuStatus;
                return 0;
            case 4:
                c.FpuStatus &= 0x7F00 & unchecked((ushort)~Cpu.FswB) & unchecked((ushort)~Cpu.FswEs);
                return 0;
            case 5:
                c.ResetFpu();
                return 0;
            case 6:
            case 8:
            {
                int size = i.Aux == 6 ? 28 : 108;
                Span<byte> b = stackalloc byte[108];
                b.Clear();
                BinaryPrimitives.WriteUInt16LittleEndian(b, c.FpuControl);
                b[2] = 0xFF;
                b[3] = 0xFF;
                BinaryPrimitives.WriteUInt16LittleEndian(b.Slice(4), c.FpuStatus);
                b[6] = 0xFF;
                b[7] = 0xFF;
                BinaryPrimitives.WriteUInt16LittleEndian(b.Slice(8), c.FullTagWord());
                b[10] = 0xFF;
                b[11] = 0xFF;
                BinaryPrimitives.WriteUInt32LittleEndian(b.Slice(12), (uint)c.FpuIp);
                BinaryPrimitives.WriteUInt16LittleEndian(b.Slice(18), (ushort)(c.FpuOpcode & 0x7FF));
                BinaryPrimitives.WriteUInt32LittleEndian(b.Slice(20), (uint)c.FpuDp);
                if (i.Aux == 8)
                {
                    for (int k = 0; k < 8; k++)
                    {
                        F80 v = c.St(k);
                        BinaryPrimitives.WriteUInt64LittleEndian(b.Slice(28 + (10 * k)), v.Mant);
                        BinaryPrimitives.WriteUInt16LittleEndian(b.Slice(36 + (10 * k)), v.SignExp);
                    }
                }

                if (!c.Mmu.WriteBytes(ea, b.Slice(0, size)))
                {
                    return c.Fault(ref i);
                }

                if (i.Aux == 8)
                {
                    c.ResetFpu();
                }
                else
                {
                    // FNSTENV masks all exceptions afterwards (SDM).
                    c.FpuControl |= 0x3F;
                }

                return 0;
            }

            case 7:
            case 9:
            {
                int size = i.Aux == 7 ? 28 : 108;
                Span<byte> b = stackalloc byte[108];
                if (!c.Mmu.ReadBytes(ea, b.Slice(0, size)))
                {
                    return c.Fault(ref i);
                }

                c.FpuControl = (ushort)((BinaryPrimitives.ReadUInt16LittleEndian(b) & 0x1F3F) | 0x40);
                c.FpuStatus = BinaryPrimitives.ReadUInt16LittleEndian(b.Slice(4));
                c.SetFullTagWord(BinaryPrimitives.ReadUInt16LittleEndian(b.Slice(8)));
                if (i.Aux == 9)
                {
                    byte empty = c.FpuEmpty;
                    for (int k = 0; k < 8; k++)
                    {
                        c.St(k) = new F80(BinaryPrimitives.ReadUInt64LittleEndian(b.Slice(28 + (10 * k))), BinaryPrimitives.ReadUInt16LittleEndian(b.Slice(36 + (10 * k))));
                    }

                    c.FpuEmpty = empty;
                }

                return 0;
            }

            case 10:
            {
                if ((ea & 15) != 0)
                {
                    return c.Raise(ref i, ExitReason.GeneralProtection);
                }

                Span<byte> b = stackalloc byte[Cpu.FxStateSize];
                c.SaveFxState(b);
                return c.Mmu.WriteBytes(ea, b) ? 0 : c.Fault(ref i);
            }

            case 11:
            {
                if ((ea & 15) != 0)
                {
                    return c.Raise(ref i, ExitReason.GeneralProtection);
                }

                Span<byte> b = stackalloc byte[Cpu.FxStateSize];
                if (!c.Mmu.ReadBytes(ea, b))
                {
                    return c.Fault(ref i);
                }

                return c.RestoreFxState(b) ? 0 : c.Raise(ref i, ExitReason.GeneralProtection);
            }

            default:
                return X87Pending(c, ref i);
        }
    }

    private static ref ushort Unsafe16(Cpu c) => ref System.Runtime.CompilerServices.Unsafe.As<byte, ushort>(ref c.RegByte(Reg.Rax * 8));
}
