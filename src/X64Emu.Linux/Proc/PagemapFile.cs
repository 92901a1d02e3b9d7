using System;
using System.Buffers.Binary;
using X64Emu.Linux.Syscalls;
using X64Emu.Linux.Tasks;
using X64Emu.Linux.Vfs;
using X64Emu.Memory;
using X64Emu.Memory.PageTables;
using X64Emu.Memory.Physical;
using X64Emu.Memory.Vmas;

namespace X64Emu.Linux.Proc;

/// <summary>
/// /proc/PID/pagemap: one 64-bit entry per virtual page, read straight from the emulated page tables
/// (Documentation/admin-guide/mm/pagemap.rst): bits 0-54 frame number, 56 exclusively mapped,
/// 61 file-backed or shared, 63 present.
/// </summary>
public sealed unsafe class PagemapFile : FileDescription
{
    private readonly string _path;
    private readonly GuestProcess _process;
    private long _offset;

    public PagemapFile(string path, GuestProcess process, int flags)
    {
        _path = path;
        _process = process;
        StatusFlags = flags;
    }

    public override string Path => _path;

    public override long Stat(Span<byte> stat)
    {
        StatBuf.Fill(stat, 0x16, 0x7070, StatBuf.IfReg | 0x100 /* 0400 */, 1, 0, 0, 0, blksize: 1024);
        return 0;
    }

    public override long Seek(long offset, int whence)
    {
        long pos = whence switch
        {
            0 => offset,
            1 => _offset + offset,
            _ => -1,
        };
        if (pos < 0)
        {
            return -Errno.EINVAL;
        }

        _offset = pos;
        return pos;
    }

    public override long Read(GuestThread t, Span<byte> buffer)
    {
        long n = PRead(t, buffer, _offset);
        if (n > 0)
        {
            _offset += n;
        }

        return n;
    }

    public override long PRead(GuestThread t, Span<byte> buffer, long offset)
    {
        if ((offset & 7) != 0 || (buffer.Length & 7) != 0)
        {
            return -Errno.EINVAL;
        }

        bool showPfn = t != null && (t.Process.Creds.Euid == 0 || t.Kernel.Options.Capabilities.Contains("CAP_SYS_ADMIN"));
        AddressSpace mm = _process.Mm;
        int count = buffer.Length / 8;
        ulong firstPage = (ulong)offset / 8;
        ulong[] entries = mm.WithLock(m =>
        {
            ulong[] result = new ulong[count];
            PhysicalMemory mem = m.Machine.Physical;
            for (int i = 0; i < count; i++)
            {
                ulong va = (firstPage + (ulong)i) << PageSizes.PageBits;
                ulong entry = 0;
                if (va < PageSizes.TaskSize)
                {
                    ulong* slot = m.PageTable.Find(va, 1, out int level);
                    ulong e = slot != null ? *slot : 0;
                    if (Pte.IsMapped(e))
                    {
                        ulong sub = level == 1 ? 0 : (va >> PageSizes.PageBits) & ((1UL << (9 * (level - 1))) - 1);
                        long frame = Pte.FrameOf(e) + (long)sub;
                        long head = Pte.FrameOf(e);
                        entry = 1UL << 63;
                        if (showPfn)
                        {
                            entry |= (ulong)frame & ((1UL << 55) - 1);
                        }

                        FrameFlags f = mem.Flags(head);
                        if ((f & FrameFlags.PageCache) != 0)
                        {
                            entry |= 1UL << 61;
                        }

                        if ((f & FrameFlags.Zero) == 0 && mem.MapCount(head) == 1)
                        {
                            entry |= 1UL << 56;
                        }
                    }
                }

                result[i] = entry;
            }

            return result;
        });
        for (int i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(buffer.Slice(i * 8), entries[i]);
        }

        return buffer.Length;
    }
}
