"""Text placed inside a CSS string of a PDF's <style> (the running header and footer)."""

from django import template

register = template.Library()


@register.filter
def css_string(value) -> str:
    """Escape for a double-quoted CSS string inside a <style> element: quotes, backslashes,
    angle brackets (no `</style>` can end the element) and line breaks become CSS escapes."""
    out = []
    for char in str(value):
        if char in '"\\<>&' or ord(char) < 0x20 or ord(char) == 0x7f:
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return "".join(out)
