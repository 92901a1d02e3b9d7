using System;
using X64Emu.Linux.Syscalls;

namespace X64Emu.Linux.Vfs;

/// <summary>A process's file descriptor table: descriptors → open file descriptions, with close-on-exec bits.</summary>
/// <remarks>Invariants: each installed description holds one reference per descriptor. Guarded by its own lock.</remarks>
public sealed class FdTable
{
    private readonly object _lock = new();
    private FileDescription?[] _files = new FileDescription?[64];
    private bool[] _cloexec = new bool[64];

    /// <summary>RLIMIT_NOFILE soft limit.</summary>
    public int Limit { get; set; } = 1024;

    public FileDescription? Get(int fd)
    {
        lock (_lock)
        {
            return fd >= 0 && fd < _files.Length ? _files[fd] : null;
        }
    }

    public bool GetCloseOnExec(int fd)
    {
        lock (_lock)
        {
            return fd >= 0 && fd < _files.Length && _cloexec[fd];
        }
    }

    public void SetCloseOnExec(int fd, bool value)
    {
        lock (_lock)
        {
            if (fd >= 0 && fd < _files.Length && _files[fd] != null)
            {
                _cloexec[fd] = value;
            }
        }
    }

    /// <summary>Installs at the lowest free descriptor ≥ <paramref name="min"/>; takes over the caller's reference. -EMFILE when full.</summary>
    public long Install(FileDescription file, bool cloexec, int min = 0)
    {
        lock (_lock)
        {
            for (int fd = Math.Max(0, min); fd < Limit; fd++)
            {
                Grow(fd);
                if (_files[fd] == null)
                {
                    _files[fd] = file;
                    _cloexec[fd] = cloexec;
                    return fd;
                }
            }
        }

        file.Release();
        return -Errno.EMFILE;
    }

    /// <summary>Installs at exactly <paramref name="fd"/>, closing what was there (dup2/dup3).</summary>
    public long InstallAt(int fd, FileDescription file, bool cloexec)
    {
        FileDescription? old;
        lock (_lock)
        {
            if (fd < 0 || fd >= Limit)
            {
                file.Release();
                return -Errno.EBADF;
            }

            Grow(fd);
            old = _files[fd];
            _files[fd] = file;
            _cloexec[fd] = cloexec;
        }

        old?.Release();
        return fd;
    }

    public long Close(int fd)
    {
        FileDescription? f;
        lock (_lock)
        {
            if (fd < 0 || fd >= _files.Length || _files[fd] == null)
            {
                return -Errno.EBADF;
            }

            f = _files[fd];
            _files[fd] = null;
            _cloexec[fd] = false;
        }

        f!.Release();
        return 0;
    }

    private int _users = 1;

    /// <summary>CLONE_FILES: the same table for another process.</summary>
    public FdTable Share()
    {
        System.Threading.Interlocked.Increment(ref _users);
        return this;
    }

    /// <summary>A process lets go of the table (exit); the last one closes every descriptor.</summary>
    public void ReleaseUser()
    {
        if (System.Threading.Interlocked.Decrement(ref _users) == 0)
        {
            CloseAll();
        }
    }

    /// <summary>A copy for fork: every description gains a reference.</summary>
    public FdTable Clone()
    {
        lock (_lock)
        {
            FdTable t = new() { Limit = Limit };
            t._files = (FileDescription?[])_files.Clone();
            t._cloexec = (bool[])_cloexec.Clone();
            foreach (FileDescription? f in t._files)
            {
                f?.AddRef();
            }

            return t;
        }
    }

    /// <summary>execve: closes the close-on-exec descriptors.</summary>
    public void CloseOnExec()
    {
        for (int fd = 0; fd < _files.Length; fd++)
        {
            if (GetCloseOnExec(fd))
            {
                Close(fd);
            }
        }
    }

    public void CloseAll()
    {
        for (int fd = 0; fd < _files.Length; fd++)
        {
            if (Get(fd) != null)
            {
                Close(fd);
            }
        }
    }

    /// <summary>Open descriptors, for /proc/PID/fd.</summary>
    public int[] OpenDescriptors()
    {
        lock (_lock)
        {
            System.Collections.Generic.List<int> r = new();
            for (int fd = 0; fd < _files.Length; fd++)
            {
                if (_files[fd] != null)
                {
                    r.Add(fd);
                }
            }

            return r.ToArray();
        }
    }

    private void Grow(int fd)
    {
        if (fd >= _files.Length)
        {
            int n = Math.Max(fd + 1, _files.Length * 2);
            Array.Resize(ref _files, n);
            Array.Resize(ref _cloexec, n);
        }
    }
}
