using System;

namespace X64Emu.Cpu;

public sealed partial class Cpu
{
    /// <summary>Copies the architectural state of another CPU (fork, clone): registers, flags, x87, SSE.</summary>
    public void CopyStateFrom(Cpu other)
    {
        R = other.R;
        FlagOpKind = other.FlagOpKind;
        FlagDst = other.FlagDst;
        FlagSrc = other.FlagSrc;
        FlagRes = other.FlagRes;
        FlagBits = other.FlagBits;
        FlagsOther = other.FlagsOther;
        Array.Copy(other.Fpr, Fpr, 8);
        FpuControl = other.FpuControl;
        FpuStatus = other.FpuStatus;
        FpuEmpty = other.FpuEmpty;
        FpuOpcode = other.FpuOpcode;
        FpuIp = other.FpuIp;
        FpuDp = other.FpuDp;
        R.Mxcsr = other.Mxcsr;
        _hostMxcsrThread = -1;
    }
}
