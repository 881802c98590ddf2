// The editor's palette: the kinds of item a user can drop onto the canvas, and the value each
// starts with (the keys a new user would set first; interfaces list all their topics).
#pragma once

#include "editor/graphdocument.h"
#include "spec/node.h"

#include <QString>

#include <vector>

namespace streamlab::editor {

// The kinds of item the palette offers: "neuron_pool", "synapse_pool", "loss", "hebbian",
// "L_regularizer", and "interface:<type>" for every interface type.
struct PaletteEntry
{
    QString id, label, help;
    bool enabled = true; // false: known but not supported (help says why)
};
std::vector<PaletteEntry> paletteEntries();
inline constexpr const char *kPaletteMime = "application/x-streamlab-palette";

// The value a new item of palette entry `id` starts with.
spec::Node paletteValue(const QString &id);
// The name a new item is given before it is made unique ("pool", "loss", "roman_numerals").
QString paletteBaseName(const QString &id);
// The section a palette entry's items go into.
Section paletteSection(const QString &id);

} // namespace streamlab::editor
