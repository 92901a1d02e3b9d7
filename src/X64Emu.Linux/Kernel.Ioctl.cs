using System;
using X64Emu.Linux.Host;
using X64Emu.Linux.Syscalls;
using X64Emu.Linux.Tasks;

namespace X64Emu.Linux;

public sealed unsafe partial class Kernel
{
    /// <summary>
    /// Terminal and descriptor ioctls passed through to a host descriptor with the argument copied in
    /// and out of guest memory. Unknown requests are ENOTTY (what Linux says for a request the file does not support).
    /// </summary>
    public long HostIoctl(GuestThread t, int hostFd, ulong request, ulong arg)
    {
        (int size, bool copyIn, bool copyOut) = request switch
        {
            0x5401 => (36, false, true),  // TCGETS: struct termios
            0x5402 or 0x5403 or 0x5404 => (36, true, false), // TCSETS, TCSETSW, TCSETSF
            0x5413 => (8, false, true),   // TIOCGWINSZ
            0x5414 => (8, true, false),   // TIOCSWINSZ
            0x541B => (4, false, true),   // FIONREAD
            0x5421 => (4, true, false),   // FIONBIO
            0x540F => (4, false, true),   // TIOCGPGRP
            0x5410 => (4, true, false),   // TIOCSPGRP
            0x5429 => (4, false, true),   // TIOCGSID
            _ => (-1, false, false),
        };
        if (request == 0x40049409 /* FICLONE */)
        {
            // Reflink only between two host files of one filesystem; anything else is EXDEV (as across filesystems).
            Vfs.FileDescription? src = t.Process.Fds.Get((int)arg);
            if (src == null)
            {
                return -Errno.EBADF;
            }

            return src.HostFd < 0 ? -Errno.EXDEV : LibC.Sys(LibC.NrIoctl, hostFd, (long)request, src.HostFd);
        }

        if (size < 0)
        {
            ReportOnce("ioctl:" + request, $"x64emu: ioctl request 0x{request:x} is not implemented; it returns ENOTTY");
            return -Errno.ENOTTY;
        }

        if (request is 0x540F or 0x5429)
        {
            // The guest's own process group / session, not the emulator's.
            byte* termios = stackalloc byte[64];
            long check = LibC.Sys(LibC.NrIoctl, hostFd, 0x5401, (long)termios);
            if (check < 0)
            {
                return check;
            }

            int id = request == 0x540F ? t.Process.Pgid : t.Process.Sid;
            return t.Process.Mm.WriteUser32(arg, (uint)id) ? 0 : -Errno.EFAULT;
        }

        if (request == 0x5410)
        {
            return 0;
        }

        byte[] buf = new byte[64];
        if (copyIn && !t.Process.Mm.ReadUser(arg, buf.AsSpan(0, size)))
        {
            return -Errno.EFAULT;
        }

        long r;
        fixed (byte* p = buf)
        {
            r = LibC.Sys(LibC.NrIoctl, hostFd, (long)request, (long)p);
        }

        if (r >= 0 && copyOut && !t.Process.Mm.WriteUser(arg, buf.AsSpan(0, size)))
        {
            return -Errno.EFAULT;
        }

        return r;
    }
}
