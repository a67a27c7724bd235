// Strings kept for a session (a reference's text and name, a registry question's key, a diagnostic's message)
// should hold only their own characters. V8 keeps a substring of 13 or more characters as a view into the string it
// was cut from, and `a + b` as a pair of pointers: a 30-character image name cut from a part of a YAML stream keeps
// that whole part alive, and a message built from six pieces costs six small strings. With 10,000 references in a
// document that is several MB of a language server's memory. A JSON round trip is the cheapest way JavaScript has
// to get a fresh flat copy (≈ 0.2 µs for an image name); shorter strings are always copies already.
const MIN_VIEW_LENGTH = 13;

export function ownCopy(text: string): string {
  return text.length < MIN_VIEW_LENGTH ? text : (JSON.parse(JSON.stringify(text)) as string);
}
