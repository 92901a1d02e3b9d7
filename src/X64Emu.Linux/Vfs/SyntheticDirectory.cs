using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Text;
using X64Emu.Linux.Syscalls;

namespace X64Emu.Linux.Vfs;

/// <summary>A generated directory listing (/proc, /proc/PID, /proc/PID/fd ...), read with getdents64.</summary>
public sealed class SyntheticDirectory : FileDescription
{
    private readonly string _path;
    private readonly List<(string Name, byte Type)> _entries;
    private int _next;

    public const byte DtDir = 4;
    public const byte DtReg = 8;
    public const byte DtLnk = 10;

    public SyntheticDirectory(string path, List<(string Name, byte Type)> entries, int flags)
    {
        _path = path;
        _entries = new List<(string, byte)> { (".", DtDir), ("..", DtDir) };
        _entries.AddRange(entries);
        StatusFlags = flags;
    }

    public override string Path => _path;

    public override bool IsDirectory => true;

    public override long Stat(Span<byte> stat)
    {
        StatBuf.Fill(stat, 0x16, (ulong)(uint)_path.GetHashCode(), StatBuf.IfDir | 0x16D /* 0555 */, 2, 0, 0, 0, blksize: 1024);
        return 0;
    }

    public override long Seek(long offset, int whence)
    {
        if (whence != 0 || offset < 0)
        {
            return -Errno.EINVAL;
        }

        _next = (int)Math.Min(offset, _entries.Count);
        return _next;
    }

    public override long GetDents64(Span<byte> buffer)
    {
        int used = 0;
        while (_next < _entries.Count)
        {
            (string name, byte type) = _entries[_next];
            int nameLen = Encoding.UTF8.GetByteCount(name);
            int reclen = (19 + nameLen + 1 + 7) & ~7;
            if (used + reclen > buffer.Length)
            {
                return used == 0 ? -Errno.EINVAL : used;
            }

            Span<byte> e = buffer.Slice(used, reclen);
            e.Clear();
            BinaryPrimitives.WriteUInt64LittleEndian(e, (ulong)(uint)(name.GetHashCode() & 0x7FFFFFFF) + 1);
            BinaryPrimitives.WriteInt64LittleEndian(e.Slice(8), _next + 1);
            BinaryPrimitives.WriteUInt16LittleEndian(e.Slice(16), (ushort)reclen);
            e[18] = type;
            Encoding.UTF8.GetBytes(name, e.Slice(19));
            used += reclen;
            _next++;
        }

        return used;
    }
}
