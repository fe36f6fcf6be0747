"""Every screen of the kiosk, in the order they are added to the screen manager."""

from __future__ import annotations

from kiosk.screens.activities import ActivitiesScreen, ActivityDetailScreen, MyActivitiesScreen
from kiosk.screens.base import KioskScreen
from kiosk.screens.cart import CartScreen
from kiosk.screens.confirm import ConfirmScreen
from kiosk.screens.confirm_cancel import ConfirmCancelScreen
from kiosk.screens.confirm_help import ConfirmHelpScreen
from kiosk.screens.greet import GreetScreen
from kiosk.screens.groceries import GroceryCategoriesScreen, GroceryItemsScreen
from kiosk.screens.help_status import HelpStatusScreen
from kiosk.screens.home import HomeScreen
from kiosk.screens.idle_warning import IdleWarningScreen
from kiosk.screens.my_requests import MyRequestsScreen
from kiosk.screens.notice import NoticeScreen
from kiosk.screens.order_status import OrderStatusScreen
from kiosk.screens.rating import RatingScreen
from kiosk.screens.resident import ResidentScreen
from kiosk.screens.settings import SettingsScreen

SCREEN_CLASSES: tuple[type[KioskScreen], ...] = (
    HomeScreen,
    ConfirmHelpScreen,
    HelpStatusScreen,
    ConfirmCancelScreen,
    SettingsScreen,
    IdleWarningScreen,
    GreetScreen,
    ResidentScreen,
    GroceryCategoriesScreen,
    GroceryItemsScreen,
    CartScreen,
    ConfirmScreen,
    OrderStatusScreen,
    ActivitiesScreen,
    ActivityDetailScreen,
    MyActivitiesScreen,
    MyRequestsScreen,
    RatingScreen,
    NoticeScreen,
)
