using System;

namespace X64Emu.Linux;

/// <summary>The first program could not be started (the CLI reports it and exits 126 or 127).</summary>
public sealed class ExecFailedException : Exception
{
    public ExecFailedException(string path, long errno, string reason)
        : base($"{path}: {reason}")
    {
        Path = path;
        Errno = errno;
        Reason = reason;
    }

    public string Path { get; }

    /// <summary>-errno as execve would return it.</summary>
    public long Errno { get; }

    public string Reason { get; }
}
