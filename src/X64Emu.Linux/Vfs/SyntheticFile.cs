using System;
using System.Text;
using X64Emu.Linux.Syscalls;
using X64Emu.Linux.Tasks;

namespace X64Emu.Linux.Vfs;

/// <summary>
/// A /proc or /sys file whose contents the emulator generates from its own state (at open, or lazily at the first read);
/// writable ones (e.g. /proc/sys/vm/overcommit_memory) apply each write() through a callback.
/// </summary>
public sealed class SyntheticFile : FileDescription
{
    private readonly Func<byte[]>? _producer;
    private byte[]? _content;
    private readonly string _path;
    private readonly Func<string, long>? _onWrite;
    private readonly uint _mode;
    private readonly ulong _ino;
    private long _offset;

    public SyntheticFile(string path, byte[] content, int flags, Func<string, long>? onWrite = null, uint mode = 0x124 /* 0444 */, ulong ino = 0)
    {
        _path = path;
        _content = content;
        StatusFlags = flags;
        _onWrite = onWrite;
        _mode = mode;
        _ino = ino != 0 ? ino : (ulong)(uint)path.GetHashCode();
    }

    public SyntheticFile(string path, string content, int flags, Func<string, long>? onWrite = null, uint mode = 0x124)
        : this(path, Encoding.UTF8.GetBytes(content), flags, onWrite, mode)
    {
    }

    /// <summary>
    /// A file generated on first read, as Linux's seq_file does: what a process maps or unmaps between
    /// open() and read() (stdio allocating its buffer) shows in the contents.
    /// </summary>
    public SyntheticFile(string path, Func<byte[]> producer, int flags, Func<string, long>? onWrite = null, uint mode = 0x124)
        : this(path, Array.Empty<byte>(), flags, onWrite, mode)
    {
        _producer = producer;
        _content = null;
    }

    private byte[] Content => _content ??= _producer!();

    public override string Path => _path;

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
        if (!CanRead)
        {
            return -Errno.EBADF;
        }

        if (offset < 0)
        {
            return -Errno.EINVAL;
        }

        if (offset >= Content.Length)
        {
            return 0;
        }

        int n = (int)Math.Min(buffer.Length, Content.Length - offset);
        Content.AsSpan((int)offset, n).CopyTo(buffer);
        return n;
    }

    public override long Write(GuestThread t, ReadOnlySpan<byte> buffer)
    {
        if (!CanWrite)
        {
            return -Errno.EBADF;
        }

        if (_onWrite == null)
        {
            return -Errno.EIO;
        }

        long r = _onWrite(Encoding.UTF8.GetString(buffer));
        return r < 0 ? r : buffer.Length;
    }

    public override long Seek(long offset, int whence)
    {
        long pos = whence switch
        {
            0 => offset,
            1 => _offset + offset,
            2 => Content.Length + offset,
            _ => -1,
        };
        if (pos < 0)
        {
            return -Errno.EINVAL;
        }

        _offset = pos;
        return pos;
    }

    public override long Stat(Span<byte> stat)
    {
        // /proc files report size 0, as Linux does.
        StatBuf.Fill(stat, 0x16, _ino, StatBuf.IfReg | _mode, 1, 0, 0, 0, blksize: 1024);
        return 0;
    }
}
