using System.Collections.Generic;
using X64Emu.Linux.Host;
using X64Emu.Memory;
using X64Emu.Memory.Objects;

namespace X64Emu.Linux.Vfs;

/// <summary>
/// One page cache per host file (device + inode), shared by every mapping and by read()/write()
/// on any descriptor of that file, in every guest process.
/// </summary>
public sealed class PageCacheRegistry
{
    private readonly Dictionary<(ulong Dev, ulong Ino), MemoryObject> _objects = new();
    private readonly MemorySystem _memory;

    public PageCacheRegistry(MemorySystem memory)
    {
        _memory = memory;
    }

    public MemoryObject? Find(ulong dev, ulong ino)
    {
        lock (_objects)
        {
            return _objects.TryGetValue((dev, ino), out MemoryObject? o) ? o : null;
        }
    }

    /// <summary>The page cache of an open regular host file, created on first use.</summary>
    public MemoryObject GetOrCreate(HostFile file)
    {
        lock (_objects)
        {
            if (_objects.TryGetValue((file.Device, file.Inode), out MemoryObject? existing))
            {
                return existing;
            }

            // The backing keeps its own host descriptor so the cache outlives the guest's close().
            int fd = (int)LibC.Sys(LibC.NrFcntl, file.HostFd, 1030 /* F_DUPFD_CLOEXEC */, 0);
            HostFileBacking backing = new(fd);
            MemoryObject obj = new(_memory.Physical, MemoryObjectKind.File, backing, 0, file.Path)
            {
                DevMajor = StatBuf.Major(file.Device),
                DevMinor = StatBuf.Minor(file.Device),
                Inode = file.Inode,
            };
            (ulong, ulong) key = (file.Device, file.Inode);
            obj.LastUserGone = o =>
            {
                lock (_objects)
                {
                    if (_objects.TryGetValue(key, out MemoryObject? cur) && ReferenceEquals(cur, o))
                    {
                        _objects.Remove(key);
                    }
                }

                backing.Close();
            };
            _objects.Add(key, obj);
            return obj;
        }
    }
}
