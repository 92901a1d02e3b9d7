namespace X64Emu.Memory;

/// <summary>
/// Result of an address-space operation. The values are chosen equal to the Linux errno each one
/// becomes, so the syscall layer's translation is a negation; the memory layer itself never sees a
/// syscall number.
/// </summary>
public enum MmStatus
{
    Ok = 0,
    NotPermitted = 1,      // EPERM
    NoEntry = 2,           // ENOENT
    Interrupted = 4,       // EINTR
    BadFd = 9,             // EBADF
    Again = 11,            // EAGAIN
    NoMemory = 12,         // ENOMEM
    AccessDenied = 13,     // EACCES
    Fault = 14,            // EFAULT
    Busy = 16,             // EBUSY
    Exists = 17,           // EEXIST
    NoDevice = 19,         // ENODEV
    InvalidArgument = 22,  // EINVAL
    TextBusy = 26,         // ETXTBSY
    Overflow = 75,         // EOVERFLOW
    NotSupported = 95,     // EOPNOTSUPP
}
