// The editors of one value in the property inspector, one per schema value type: a line edit
// for text, YAML and numbers (numbers also scrub with the arrow keys, the wheel or a drag on the
// handle), a combo box for allowed values and neuron pools, a check box for booleans. A field
// only reports what the user entered as YAML text; the inspector validates it and pushes the
// command. Text the user typed and has not committed (or that was refused) is kept when the
// document refreshes the field.
#pragma once

#include "editor/schema.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLineEdit;

namespace streamlab::editor {

class ValueField : public QWidget
{
    Q_OBJECT
public:
    // Shows `text` (the value as YAML); empty text shows `placeholder` (the default) greyed.
    virtual void setValueText(const QString &text, const QString &placeholder) = 0;
    // What the field shows now (the user's text while dirty).
    virtual QString valueText() const = 0;
    // The user changed the text and has not committed it, or it was refused.
    bool isDirty() const { return mDirty; }
    void setDirty(bool dirty) { mDirty = dirty; }
    // The widget that takes the focus.
    virtual QWidget *editor() const = 0;

Q_SIGNALS:
    // The user entered a value; `continuous` while a scrub gesture goes on.
    void edited(const QString &text, bool continuous);

protected:
    using QWidget::QWidget;
    // Typing marks the field dirty; Return or leaving the field commits the text (if typed).
    void commitOnEditingFinished(QLineEdit *edit);
    bool mDirty = false;
};

// Text, YAML lists and maps, init values: committed on Return or when the focus leaves.
class LineField : public ValueField
{
    Q_OBJECT
public:
    explicit LineField(QWidget *parent = nullptr);
    void setValueText(const QString &text, const QString &placeholder) override;
    QString valueText() const override;
    QWidget *editor() const override;
    QLineEdit *lineEdit() const { return mEdit; }

private:
    QLineEdit *mEdit;
};

// Numbers and expressions of globals; Up/Down, the wheel and dragging the handle step the value
// (a scrub: its edits are continuous and merge into one undo step).
class NumberField : public LineField
{
    Q_OBJECT
public:
    NumberField(const KeyInfo &info, QWidget *parent = nullptr);
    // One scrub step up (+1) or down (-1) from the shown value (or the default).
    void step(int direction);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    bool mInteger;
    double mMin, mMax;
    int mDragX = 0;
};

// Allowed values, neuron pools, activations (editable: expressions can be typed).
class ChoiceField : public ValueField
{
    Q_OBJECT
public:
    ChoiceField(const QStringList &choices, bool editable, QWidget *parent = nullptr);
    void setValueText(const QString &text, const QString &placeholder) override;
    QString valueText() const override;
    QWidget *editor() const override;
    QComboBox *comboBox() const { return mCombo; }

private:
    QComboBox *mCombo;
};

class BoolField : public ValueField
{
    Q_OBJECT
public:
    explicit BoolField(QWidget *parent = nullptr);
    void setValueText(const QString &text, const QString &placeholder) override;
    QString valueText() const override;
    QWidget *editor() const override;
    QCheckBox *checkBox() const { return mCheck; }

private:
    QCheckBox *mCheck;
};

// The field for a key (null info: an unknown key, edited as YAML); `neuronPools` fill
// neuron-pool choices.
ValueField *createField(const KeyInfo *info, const QStringList &neuronPools,
                        QWidget *parent = nullptr);

} // namespace streamlab::editor
