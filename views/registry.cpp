// The list of view kinds, in the order of the View menu. Each view's header declares a
// `create<Name>View` function; add a line here for a new view.
#include "views/bandsview.h"
#include "views/confusionview.h"
#include "views/curvesview.h"
#include "views/featuremapview.h"
#include "views/filtergridview.h"
#include "views/histogramview.h"
#include "views/interfaceview.h"
#include "views/networkview.h"
#include "views/view.h"

namespace streamlab::views {

const std::vector<ViewKind> &viewKinds()
{
    static const std::vector<ViewKind> kinds = {
        {QStringLiteral("network"), QObject::tr("Network"), &createNetworkView},
        {QStringLiteral("featuremaps"), QObject::tr("Feature maps"), &createFeatureMapView},
        {QStringLiteral("filters"), QObject::tr("Filter grid"), &createFilterGridView},
        {QStringLiteral("bands"), QObject::tr("Percentile bands"), &createBandsView},
        {QStringLiteral("histogram"), QObject::tr("Histogram"), &createHistogramView},
        {QStringLiteral("curves"), QObject::tr("Scalar curves"), &createCurvesView},
        {QStringLiteral("confusion"), QObject::tr("Confusion matrix"), &createConfusionView},
        {QStringLiteral("interface"), QObject::tr("Interface stimulus"), &createInterfaceView},
    };
    return kinds;
}

} // namespace streamlab::views
