using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Threading;
using X64Emu.Cpu.Decode;
using X64Emu.Cpu.Host;

namespace X64Emu.Cpu;

public sealed unsafe partial class Cpu
{
    /// <summary>MXCSR exception flag bits (IE DE ZE OE UE PE).</summary>
    public const uint MxcsrFlags = 0x3F;

    /// <summary>MXCSR exception mask bits.</summary>
    public const uint MxcsrMasks = 0x1F80;

    private int _hostMxcsrThread = -1;

    /// <summary>An XMM register as a vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref Vector128<byte> Xmm(int n) => ref Unsafe.As<ulong, Vector128<byte>>(ref Unsafe.Add(ref R.Xmm[0], n * 2));

    /// <summary>
    /// Makes the host thread's MXCSR carry the guest's rounding mode, FTZ, DAZ and flags, with every
    /// exception masked on the host (unmasked guest exceptions are checked after each operation).
    /// </summary>
    public void LoadHostMxcsr()
    {
        HostMxcsr.Write(R.Mxcsr | MxcsrMasks);
        _hostMxcsrThread = Environment.CurrentManagedThreadId;
    }

    /// <summary>The guest-visible MXCSR: control bits plus every flag raised so far (host and software).</summary>
    public uint Mxcsr
    {
        get
        {
            if (_hostMxcsrThread == Environment.CurrentManagedThreadId)
            {
                R.Mxcsr |= HostMxcsr.Read() & MxcsrFlags;
            }

            return R.Mxcsr;
        }

        set
        {
            // Inside Run the host's MXCSR is the guest's; outside, Run loads it on entry.
            R.Mxcsr = value;
            if (_hostMxcsrThread == Environment.CurrentManagedThreadId)
            {
                LoadHostMxcsr();
            }
        }
    }

    /// <summary>
    /// Folds the exception flags the host's MXCSR collected for the guest into <see cref="RegisterFile.Mxcsr"/>
    /// before emulator code (a syscall, the compiler in eager mode) runs floating point of its own on this
    /// thread, which must not show in the guest's flags.
    /// </summary>
    private void SaveHostMxcsrFlags()
    {
        if (_hostMxcsrThread == Environment.CurrentManagedThreadId)
        {
            R.Mxcsr |= HostMxcsr.Read() & MxcsrFlags;
        }
    }

    /// <summary>True when the guest unmasked an SSE exception: operations must be checked for #XM.</summary>
    public bool SimdExceptionsUnmasked => (R.Mxcsr & MxcsrMasks) != MxcsrMasks;

    /// <summary>Raises #XM at the instruction if a flag it unmasked is now set.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public int CheckSimdException(ref Insn i)
    {
        uint m = Mxcsr;
        uint unmaskedRaised = m & MxcsrFlags & ~(m >> 7);
        return unmaskedRaised != 0 ? Raise(ref i, ExitReason.FloatingPointError) : 0;
    }

    /// <summary>Sets exception flags found in software (comisd's invalid, for example).</summary>
    public void RaiseMxcsrFlags(uint flags) => R.Mxcsr |= flags & MxcsrFlags;


}
