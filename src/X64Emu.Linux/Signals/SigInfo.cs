using System;
using System.Buffers.Binary;

namespace X64Emu.Linux.Signals;

/// <summary>A pending signal's siginfo (the fields we fill), serialised to the 128-byte kernel layout.</summary>
public struct SigInfo
{
    public const int SiUser = 0;
    public const int SiKernel = 0x80;
    public const int SiTkill = -6;
    public const int SegvMapErr = 1;
    public const int SegvAccErr = 2;
    public const int SegvPkuErr = 4;
    public const int BusAdrAln = 1;
    public const int BusAdrErr = 2;
    public const int IllIllOpn = 2;
    public const int IllIllOpc = 1;
    public const int IllPrvOpc = 5;
    public const int FpeIntDiv = 1;
    public const int FpeFltInv = 7;
    public const int TrapBrkpt = 1;
    public const int CldExited = 1;
    public const int CldKilled = 2;
    public const int CldDumped = 3;

    public int Signo;
    public int Errno;
    public int Code;

    /// <summary>si_addr for faults.</summary>
    public ulong Addr;

    /// <summary>si_pkey for SEGV_PKUERR.</summary>
    public uint Pkey;

    /// <summary>si_pid / si_uid for kill and SIGCHLD.</summary>
    public int Pid;
    public uint Uid;

    /// <summary>si_status for SIGCHLD.</summary>
    public int Status;

    /// <summary>True when the fault-address layout applies (SIGSEGV/SIGBUS/SIGILL/SIGFPE/SIGTRAP from the CPU).</summary>
    public bool IsFault;

    public void WriteTo(Span<byte> b)
    {
        b.Slice(0, 128).Clear();
        BinaryPrimitives.WriteInt32LittleEndian(b, Signo);
        BinaryPrimitives.WriteInt32LittleEndian(b.Slice(4), Errno);
        BinaryPrimitives.WriteInt32LittleEndian(b.Slice(8), Code);
        if (IsFault)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(b.Slice(16), Addr);
            if (Code == SegvPkuErr && Signo == Sig.SIGSEGV)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(b.Slice(32), Pkey);
            }
        }
        else
        {
            BinaryPrimitives.WriteInt32LittleEndian(b.Slice(16), Pid);
            BinaryPrimitives.WriteUInt32LittleEndian(b.Slice(20), Uid);
            if (Signo == Sig.SIGCHLD)
            {
                BinaryPrimitives.WriteInt32LittleEndian(b.Slice(24), Status);
            }
        }
    }
}
