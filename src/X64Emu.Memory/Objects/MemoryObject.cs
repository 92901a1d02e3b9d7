using System;
using System.Collections.Generic;
using X64Emu.Memory.Physical;

namespace X64Emu.Memory.Objects;

/// <summary>
/// A page cache: the frames of one file, of a shmem segment (shared anonymous memory, memfd) or of a
/// hugetlbfs file, shared by every mapping of it and by read()/write() on the file, so that stores
/// through MAP_SHARED are seen by read() and by other processes.
/// </summary>
/// <remarks>
/// Lock order: taken under AddressSpace locks; takes only the frame allocator's lock.
/// Invariants: each cached frame carries <see cref="FrameFlags.PageCache"/> and holds one reference
/// owned by this cache; a dirty page is a cached page whose contents may differ from the backing.
/// </remarks>
public class MemoryObject
{
    private readonly object _lock = new();
    private readonly Dictionary<ulong, long> _pages = new();
    private readonly HashSet<ulong> _dirty = new();
    private ulong _size;
    private int _users;

    public MemoryObject(PhysicalMemory mem, MemoryObjectKind kind, IFileBacking? backing, ulong size, string name)
    {
        Memory = mem;
        Kind = kind;
        Backing = backing;
        _size = size;
        Name = name;
    }

    public PhysicalMemory Memory { get; }

    /// <summary>Flags of this cache's frames.</summary>
    private FrameFlags PageFlags => Kind == MemoryObjectKind.Shmem ? FrameFlags.PageCache | FrameFlags.Shmem : FrameFlags.PageCache;

    public MemoryObjectKind Kind { get; }

    public IFileBacking? Backing { get; }

    /// <summary>Path shown in /proc/PID/maps ("/usr/bin/x", "/dev/zero (deleted)", "/memfd:x (deleted)").</summary>
    public string Name { get; set; }

    /// <summary>Device number (major:minor) and inode shown in maps.</summary>
    public uint DevMajor { get; set; }

    public uint DevMinor { get; set; }

    public ulong Inode { get; set; }

    /// <summary>Size in bytes: pages wholly beyond it raise SIGBUS when accessed through a mapping.</summary>
    public ulong Size
    {
        get
        {
            lock (_lock)
            {
                return Backing != null ? Backing.Length : _size;
            }
        }
    }

    /// <summary>Cached pages (for meminfo Cached/Shmem and tests).</summary>
    public int CachedPages
    {
        get
        {
            lock (_lock)
            {
                return _pages.Count;
            }
        }
    }

    /// <summary>Pages charged to Committed_AS by this object (shared anonymous memory without MAP_NORESERVE).</summary>
    public long CommittedPages { get; set; }

    /// <summary>Called when the last user (mapping or open file) lets go: the owner unregisters the object.</summary>
    public System.Action<MemoryObject>? LastUserGone { get; set; }

    /// <summary>Counts one more user: a VMA or an open file.</summary>
    public void AddUser() => System.Threading.Interlocked.Increment(ref _users);

    /// <summary>Drops a user; the last one writes dirty pages back and frees the cache.</summary>
    public void RemoveUser()
    {
        if (System.Threading.Interlocked.Decrement(ref _users) == 0)
        {
            Writeback(0, ulong.MaxValue);
            Release();
            LastUserGone?.Invoke(this);
        }
    }

    /// <summary>
    /// The file shrank to <paramref name="newSize"/> bytes: cached pages wholly beyond it are dropped (dirty
    /// or not) and the tail of a partial last page is zeroed (truncate_inode_pages). Mappings must have
    /// been zapped first (<see cref="MemorySystem.UnmapObjectBeyond"/>).
    /// </summary>
    public unsafe void TruncatePages(ulong newSize)
    {
        ulong first = (newSize + PageSizes.PageMask) >> PageSizes.PageBits;
        lock (_lock)
        {
            List<ulong> gone = new();
            foreach (ulong index in _pages.Keys)
            {
                if (index >= first)
                {
                    gone.Add(index);
                }
            }

            foreach (ulong index in gone)
            {
                Memory.Put(_pages[index]);
                _pages.Remove(index);
                _dirty.Remove(index);
            }

            int tail = (int)(newSize & PageSizes.PageMask);
            if (tail != 0 && _pages.TryGetValue(newSize >> PageSizes.PageBits, out long frame))
            {
                new Span<byte>(Memory.HostOf(frame) + tail, (int)PageSizes.PageSize - tail).Clear();
            }
        }
    }

    /// <summary>
    /// Page <paramref name="index"/> if it is cached and inside the file, without loading anything
    /// (fault-around); -1 otherwise.
    /// </summary>
    public long PeekCached(ulong index)
    {
        lock (_lock)
        {
            ulong size = Backing != null ? Backing.Length : _size;
            if (index >= (size + PageSizes.PageMask) >> PageSizes.PageBits || !_pages.TryGetValue(index, out long frame))
            {
                return -1;
            }

            return frame;
        }
    }

    /// <summary>True when page <paramref name="index"/> is in the cache (mincore).</summary>
    public virtual bool IsCached(ulong index)
    {
        lock (_lock)
        {
            return _pages.ContainsKey(index);
        }
    }

    /// <summary>Sets the size of a shmem object (ftruncate on a memfd, shmem creation).</summary>
    public void SetSize(ulong size)
    {
        lock (_lock)
        {
            _size = size;
        }
    }

    /// <summary>
    /// Finds or loads page <paramref name="index"/>. The cache keeps its own reference; a caller that
    /// maps the frame takes another with <see cref="PhysicalMemory.Get"/>.
    /// </summary>
    public PageLookup GetPage(ulong index, out long frame)
    {
        lock (_lock)
        {
            if (_pages.TryGetValue(index, out frame))
            {
                return PageLookup.Hit;
            }

            ulong size = Backing != null ? Backing.Length : _size;
            ulong pages = (size + PageSizes.PageMask) >> PageSizes.PageBits;
            if (index >= pages)
            {
                frame = -1;
                return PageLookup.BeyondEof;
            }

            int f = Memory.AllocateZeroed(PageFlags);
            if (f < 0)
            {
                frame = -1;
                return PageLookup.NoMemory;
            }

            PageLookup result = PageLookup.Hit;
            if (Backing != null)
            {
                unsafe
                {
                    int n = Backing.Read(index << PageSizes.PageBits, new Span<byte>(Memory.HostOf(f), (int)PageSizes.PageSize));
                    if (n < 0)
                    {
                        Memory.Put(f);
                        frame = -1;
                        return PageLookup.IoError;
                    }
                }

                result = PageLookup.Read;
            }

            _pages.Add(index, f);
            frame = f;
            return result;
        }
    }

    /// <summary>Notes that a page was (or is about to be) written through a shared mapping.</summary>
    public void MarkDirty(ulong index)
    {
        lock (_lock)
        {
            MarkDirtyLocked(index);
        }
    }

    private void MarkDirtyLocked(ulong index)
    {
        _dirty.Add(index);
        if (_pages.TryGetValue(index, out long frame))
        {
            Memory.AddFlags(frame, FrameFlags.Dirty);
        }
    }

    /// <summary>
    /// Drops page <paramref name="index"/> from the cache if it is clean and nothing but the cache holds it (reclaim's
    /// __remove_mapping after MADV_PAGEOUT unmapped it); the next access reads the file again. True when dropped.
    /// </summary>
    /// <remarks>A shmem page is dropped only if it was never written: it has no other copy and no swap to go to.</remarks>
    public bool TryEvict(ulong index)
    {
        lock (_lock)
        {
            if (!_pages.TryGetValue(index, out long frame) || _dirty.Contains(index) || Memory.RefCount(frame) != 1)
            {
                return false;
            }

            _pages.Remove(index);
            Memory.Put(frame);
            return true;
        }
    }

    /// <summary>Writes dirty pages in [firstIndex, lastIndex] back to the file (msync, munmap, exit); false on an I/O error.</summary>
    public bool Writeback(ulong firstIndex, ulong lastIndex)
    {
        if (Backing == null)
        {
            return true;
        }

        lock (_lock)
        {
            bool ok = true;
            List<ulong>? done = null;
            foreach (ulong index in _dirty)
            {
                if (index < firstIndex || index > lastIndex || !_pages.TryGetValue(index, out long frame))
                {
                    continue;
                }

                ulong offset = index << PageSizes.PageBits;
                ulong size = Backing.Length;
                if (offset >= size)
                {
                    continue;
                }

                int count = (int)Math.Min(PageSizes.PageSize, size - offset);
                unsafe
                {
                    ok &= Backing.Write(offset, new ReadOnlySpan<byte>(Memory.HostOf(frame), count));
                }

                (done ??= new List<ulong>()).Add(index);
            }

            if (done != null)
            {
                foreach (ulong index in done)
                {
                    _dirty.Remove(index);
                    Memory.RemoveFlags(_pages[index], FrameFlags.Dirty);
                }
            }

            return ok;
        }
    }

    /// <summary>
    /// read(2) on the file: copies from cached pages where present (they may hold unwritten stores
    /// made through MAP_SHARED), else from the backing. Returns the count, or -1 on an I/O error.
    /// </summary>
    public int Read(ulong offset, Span<byte> destination)
    {
        lock (_lock)
        {
            ulong size = Backing != null ? Backing.Length : _size;
            if (offset >= size)
            {
                return 0;
            }

            int total = (int)Math.Min((ulong)destination.Length, size - offset);
            int done = 0;
            while (done < total)
            {
                ulong at = offset + (ulong)done;
                ulong index = at >> PageSizes.PageBits;
                int inPage = (int)(at & PageSizes.PageMask);
                int chunk = Math.Min(total - done, (int)PageSizes.PageSize - inPage);
                if (_pages.TryGetValue(index, out long frame))
                {
                    unsafe
                    {
                        new ReadOnlySpan<byte>(Memory.HostOf(frame) + inPage, chunk).CopyTo(destination.Slice(done, chunk));
                    }
                }
                else if (Backing != null)
                {
                    int n = Backing.Read(at, destination.Slice(done, chunk));
                    if (n < 0)
                    {
                        return done > 0 ? done : -1;
                    }

                    if (n < chunk)
                    {
                        return done + n;
                    }
                }
                else
                {
                    destination.Slice(done, chunk).Clear();
                }

                done += chunk;
            }

            return done;
        }
    }

    /// <summary>
    /// write(2) on the file: updates cached pages so every mapping sees the new bytes, and writes
    /// through to the backing. Returns false on an I/O error.
    /// </summary>
    public bool Write(ulong offset, ReadOnlySpan<byte> source)
    {
        lock (_lock)
        {
            if (Backing == null && offset + (ulong)source.Length > _size)
            {
                _size = offset + (ulong)source.Length;
            }

            int done = 0;
            while (done < source.Length)
            {
                ulong at = offset + (ulong)done;
                ulong index = at >> PageSizes.PageBits;
                int inPage = (int)(at & PageSizes.PageMask);
                int chunk = Math.Min(source.Length - done, (int)PageSizes.PageSize - inPage);
                if (!_pages.TryGetValue(index, out long frame) && Backing == null)
                {
                    // Shmem has nowhere else to keep the bytes: materialise the page.
                    frame = Memory.AllocateZeroed(PageFlags);
                    if (frame < 0)
                    {
                        return false;
                    }

                    _pages.Add(index, frame);
                }

                if (_pages.ContainsKey(index))
                {
                    unsafe
                    {
                        source.Slice(done, chunk).CopyTo(new Span<byte>(Memory.HostOf(frame) + inPage, chunk));
                    }

                    if (Backing == null)
                    {
                        MarkDirtyLocked(index); // shmem_write_end: the only copy of these bytes
                    }
                }

                done += chunk;
            }

            return Backing == null || Backing.Write(offset, source);
        }
    }

    /// <summary>Frees the pages [first, last] of a shmem object (MADV_REMOVE, fallocate punch hole); they read as zero again.</summary>
    public void PunchHole(ulong first, ulong last)
    {
        lock (_lock)
        {
            System.Collections.Generic.List<ulong>? gone = null;
            foreach (ulong index in _pages.Keys)
            {
                if (index >= first && index <= last)
                {
                    (gone ??= new System.Collections.Generic.List<ulong>()).Add(index);
                }
            }

            if (gone == null)
            {
                return;
            }

            foreach (ulong index in gone)
            {
                if (Backing == null)
                {
                    Memory.Put(_pages[index]);
                    _pages.Remove(index);
                    _dirty.Remove(index);
                }
            }
        }
    }

    /// <summary>Drops every cached page (the object is gone and no mapping remains).</summary>
    public virtual void Release()
    {
        lock (_lock)
        {
            foreach (long frame in _pages.Values)
            {
                Memory.Put(frame);
            }

            _pages.Clear();
            _dirty.Clear();
        }
    }
}
