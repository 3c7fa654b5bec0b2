namespace Brax.Viewer.Tests.Robustness;

/// <summary>The ways <see cref="Mutation"/> changes a text.</summary>
public enum MutationKind
{
    /// <summary>Cut the text at a point.</summary>
    Truncate,

    /// <summary>Insert a breaking snippet at a point.</summary>
    Insert,

    /// <summary>Overwrite a stretch with a breaking snippet.</summary>
    Replace,

    /// <summary>Set one byte to any value.</summary>
    SetByte,

    /// <summary>Delete a stretch.</summary>
    Delete,

    /// <summary>Repeat a stretch right after itself.</summary>
    Duplicate,

    /// <summary>Swap one number for another valid (maybe huge) number.</summary>
    ReplaceNumber,

    /// <summary>Add a member to the outer object or to <c>x</c>.</summary>
    AddMember,

    /// <summary>Append a snippet after the value.</summary>
    Append,
}
