using System;
using System.Threading;
using System.Text;
using X64Emu.Memory.PageTables;
using X64Emu.Memory.Physical;

namespace X64Emu.Memory;

public sealed unsafe partial class AddressSpace
{
    /// <summary>
    /// Host address of the byte at <paramref name="va"/> for a kernel-side access (copy_from_user /
    /// copy_to_user, get_user_pages): walks and faults like the guest would, without a TLB.
    /// Null when the access would fault; the caller returns EFAULT.
    /// </summary>
    public byte* TranslateUser(ulong va, Access access)
    {
        if (va >= UserLimit)
        {
            return null;
        }

        for (int attempt = 0; attempt < 4; attempt++)
        {
            ulong* slot = PageTable.Find(va, 1, out int level);
            ulong e = slot != null ? *slot : 0;
            if ((e & Pte.Present) != 0 && PteAllows(e, access))
            {
                int shift = PageSizes.PageBits + (9 * (level - 1));
                ulong leafMask = (1UL << shift) - 1;
                long frame = Pte.FrameOf(e) & ~(long)(leafMask >> PageSizes.PageBits);
                byte* host = _mem.HostOf(frame) + (va & leafMask);
                if (access == Access.Write)
                {
                    long pageFrame = _mem.FrameOfHost(host);
                    if ((_mem.Flags(pageFrame) & FrameFlags.Code) != 0)
                    {
                        lock (_lock)
                        {
                            NotifyCodeLocked(va & ~PageSizes.PageMask, (va & ~PageSizes.PageMask) + PageSizes.PageSize);
                        }
                    }

                    if ((e & Pte.Dirty) == 0)
                    {
                        Interlocked.Or(ref *slot, Pte.Dirty | Pte.Accessed);
                    }
                }

                return host;
            }

            lock (_lock)
            {
                if (HandleFaultLocked(va, access, 0, out _) != FaultKind.None)
                {
                    return null;
                }
            }
        }

        return null;
    }

    /// <summary>copy_from_user: false (EFAULT) if any byte is inaccessible; bytes before it may have been copied.</summary>
    public bool ReadUser(ulong va, Span<byte> destination)
    {
        int done = 0;
        while (done < destination.Length)
        {
            ulong at = va + (ulong)done;
            if (at < va)
            {
                return false;
            }

            int chunk = (int)Math.Min((ulong)(destination.Length - done), PageSizes.PageSize - (at & PageSizes.PageMask));
            byte* host = TranslateUser(at, Access.Read);
            if (host == null)
            {
                return false;
            }

            new ReadOnlySpan<byte>(host, chunk).CopyTo(destination.Slice(done));
            done += chunk;
        }

        return true;
    }

    /// <summary>copy_to_user: false (EFAULT) if any byte is not writable; bytes before it may have been written.</summary>
    public bool WriteUser(ulong va, ReadOnlySpan<byte> source)
    {
        int done = 0;
        while (done < source.Length)
        {
            ulong at = va + (ulong)done;
            if (at < va)
            {
                return false;
            }

            int chunk = (int)Math.Min((ulong)(source.Length - done), PageSizes.PageSize - (at & PageSizes.PageMask));
            byte* host = TranslateUser(at, Access.Write);
            if (host == null)
            {
                return false;
            }

            source.Slice(done, chunk).CopyTo(new Span<byte>(host, chunk));
            done += chunk;
        }

        return true;
    }

    public bool ReadUser64(ulong va, out ulong value)
    {
        ulong v = 0;
        bool ok = ReadUser(va, new Span<byte>(&v, 8));
        value = v;
        return ok;
    }

    public bool WriteUser64(ulong va, ulong value) => WriteUser(va, new ReadOnlySpan<byte>(&value, 8));

    public bool WriteUser32(ulong va, uint value) => WriteUser(va, new ReadOnlySpan<byte>(&value, 4));

    /// <summary>
    /// strncpy_from_user: reads a NUL-terminated string of at most <paramref name="max"/> bytes
    /// (without the NUL). Returns the length, -1 on a fault (EFAULT), -2 when no NUL came within max (ENAMETOOLONG / E2BIG).
    /// </summary>
    public int ReadUserString(ulong va, int max, Span<byte> buffer)
    {
        int n = 0;
        while (n <= max)
        {
            byte* host = TranslateUser(va + (ulong)n, Access.Read);
            if (host == null)
            {
                return -1;
            }

            int inPage = (int)Math.Min((ulong)(max + 1 - n), PageSizes.PageSize - ((va + (ulong)n) & PageSizes.PageMask));
            for (int i = 0; i < inPage; i++)
            {
                byte b = host[i];
                if (b == 0)
                {
                    return n;
                }

                if (n < buffer.Length)
                {
                    buffer[n] = b;
                }

                n++;
            }
        }

        return -2;
    }

    /// <summary>Reads a NUL-terminated UTF-8 string, or null on a fault or when longer than <paramref name="max"/>.</summary>
    public string? ReadUserString(ulong va, int max = 4096)
    {
        byte[] buffer = new byte[Math.Min(max, 4096)];
        int n = ReadUserString(va, max, buffer);
        if (n < 0)
        {
            return null;
        }

        if (n > buffer.Length)
        {
            buffer = new byte[n];
            if (ReadUserString(va, n, buffer) != n)
            {
                return null;
            }
        }

        return Encoding.UTF8.GetString(buffer, 0, n);
    }
}
