"""The KAM's workspace: the account list, My accounts, the account page with its inline stakeholder-map and
interaction editors, and the champion's lifecycle change. Mounted under /accounts/ by kam/urls.py."""

from django.urls import path

from programme import views as programme_views
from programme.workspace import views

PERSON = "<int:account_id>/map/<int:stakeholder_id>/"
INTERACTION = "<int:account_id>/interactions/<int:interaction_id>/"

urlpatterns = [
    path("", views.account_list, name="list"),
    path("mine/", views.my_accounts, name="my_accounts"),
    path("<int:account_id>/", views.account_detail, name="detail"),
    path("<int:account_id>/lifecycle/", programme_views.lifecycle_change, name="lifecycle"),
    path("<int:account_id>/map/add/", views.map_stakeholder_add, name="map_stakeholder_add"),
    path(PERSON, views.map_stakeholder_change, name="map_stakeholder_change"),
    path(PERSON + "move/", views.map_stakeholder_move, name="map_stakeholder_move"),
    path(PERSON + "left/", views.map_stakeholder_left, name="map_stakeholder_left"),
    path(PERSON + "remove/", views.map_stakeholder_remove, name="map_stakeholder_remove"),
    path("<int:account_id>/interactions/older/", views.interactions_older, name="interactions_older"),
    path("<int:account_id>/interactions/add/", views.interaction_quick_add, name="interaction_quick_add"),
    path(INTERACTION, views.interaction_change, name="interaction_change"),
    path(INTERACTION + "remove/", views.interaction_remove, name="interaction_remove"),
]
