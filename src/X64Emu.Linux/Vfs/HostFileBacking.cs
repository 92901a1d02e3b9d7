using System;
using X64Emu.Linux.Host;
using X64Emu.Memory.Objects;

namespace X64Emu.Linux.Vfs;

/// <summary>A page cache's view of a host file: positioned reads and writes on its own descriptor.</summary>
internal sealed unsafe class HostFileBacking : IFileBacking
{
    private int _fd;

    public HostFileBacking(int fd)
    {
        _fd = fd;
    }

    public ulong Length
    {
        get
        {
            Span<byte> st = stackalloc byte[StatBuf.Size];
            fixed (byte* p = st)
            {
                return LibC.Sys(LibC.NrFstat, _fd, (long)p) == 0 ? (ulong)StatBuf.FileSize(st) : 0;
            }
        }
    }

    /// <summary>
    /// can_do_file_pageout with the host's credentials (the guest's): the owner, a caller with CAP_FOWNER (root here),
    /// or one the file's permissions, ACLs and mount let open it for writing.
    /// </summary>
    public bool MayPageOut
    {
        get
        {
            long euid = LibC.Sys(LibC.NrGeteuid);
            Span<byte> st = stackalloc byte[StatBuf.Size];
            fixed (byte* p = st)
            {
                if (euid == 0 || (LibC.Sys(LibC.NrFstat, _fd, (long)p) == 0 && System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(st.Slice(28)) == (uint)euid))
                {
                    return true; // st_uid is at offset 28 of struct stat
                }
            }

            byte[] path = System.Text.Encoding.ASCII.GetBytes($"/proc/self/fd/{_fd}\0");
            fixed (byte* b = path)
            {
                return LibC.Sys(LibC.NrFaccessat2, LibC.AtFdCwd, (long)b, 2 /* W_OK */, 0x200 /* AT_EACCESS */) == 0;
            }
        }
    }

    public int Read(ulong offset, Span<byte> destination)
    {
        int done = 0;
        fixed (byte* p = destination)
        {
            while (done < destination.Length)
            {
                long n = LibC.Sys(LibC.NrPread64, _fd, (long)(p + done), destination.Length - done, (long)offset + done);
                if (n < 0)
                {
                    return done > 0 ? done : -1;
                }

                if (n == 0)
                {
                    break;
                }

                done += (int)n;
            }
        }

        return done;
    }

    public bool Write(ulong offset, ReadOnlySpan<byte> source)
    {
        int done = 0;
        fixed (byte* p = source)
        {
            while (done < source.Length)
            {
                long n = LibC.Sys(LibC.NrPwrite64, _fd, (long)(p + done), source.Length - done, (long)offset + done);
                if (n <= 0)
                {
                    return false;
                }

                done += (int)n;
            }
        }

        return true;
    }

    public void Close()
    {
        if (_fd >= 0)
        {
            LibC.Sys(LibC.NrClose, _fd);
            _fd = -1;
        }
    }
}
