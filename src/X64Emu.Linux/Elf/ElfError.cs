namespace X64Emu.Linux.Elf;

/// <summary>Why a file is not a loadable x86-64 ELF executable; each becomes a one-line message and exit status 126.</summary>
public enum ElfError
{
    None = 0,
    TooShort,
    BadMagic,
    Class32,
    BadClass,
    BigEndian,
    BadVersion,
    WrongMachine,
    WrongType,
    BadPhEntSize,
    BadProgramHeaders,
    NoLoadSegment,
    BadSegment,
    SegmentsOverlap,
    BadInterpreter,
    BadEntry,
}
